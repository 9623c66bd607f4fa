import type { ScopeNeed } from '../capability/index.js';
import { patchMessage } from '../bot/scopes.js';

/** The cards capability updates a card after a click (the action's answer patched into the message). */
export const cardsScopes: ScopeNeed<any>[] = [{ ...patchMessage, why: 'update a card after someone clicks it' }];
