export { plainText, larkMd, toText, mention, type TextInput } from './text.js';
export { header, textTag, type HeaderOptions } from './header.js';
export { markdown, field, div, hr, img, note, table, person, type DivField, type TableColumn, type Fields } from './content.js';
export { actionValue, callback, openUrl, interaction, type InteractionOptions } from './interaction.js';
export {
  button, submitButton, resetButton, confirm, option, selectStatic, multiSelectStatic, selectPerson,
  datePicker, pickerTime, pickerDatetime, overflow, input, actionModule,
  type ButtonOptions, type InteractiveOptions, type Confirm, type SelectOption,
} from './interactive.js';
export { columnSet, column, collapsiblePanel, form, interactiveContainer } from './layout.js';
export { card2, card1, type Card2Options, type Card1Options } from './card.js';
