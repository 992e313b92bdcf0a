// What a table printer is: the columns of one kind and how an object fills them.
import type { KubeObject } from '../types.ts';

export interface Column {
  name: string;
  type: string;
  format?: string;
  description: string;
  /** 0: always shown; 1: only with -o wide. */
  priority: number;
}

export interface Printer {
  columns: Column[];
  cells(obj: KubeObject, now: number): unknown[];
}

export function column(name: string, type = 'string', priority = 0, description = '', format?: string): Column {
  return { name, type, priority, description, ...(format ? { format } : {}) };
}

export const NAME = column('Name', 'string', 0, 'Name must be unique within a namespace.', 'name');
