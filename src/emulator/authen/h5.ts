import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import type { PageEntry } from '../product.js';

/** The Workbench (工作台) of the web client: the apps with an H5 home page, opened in-client. */
export const workbenchPage: PageEntry = {
  title: 'Workbench',
  path: '/#/workbench',
  icon: 'workbench',
  module: new URL('./web/workbench.js', import.meta.url).href,
};

export function registerH5Routes(_app: FastifyInstance, _ctx: EmulatorContext): void {}
