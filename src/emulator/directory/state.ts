import type { Slice } from '../product.js';
import { DEFAULT_TENANT_KEY } from '../options.js';
import type { DepartmentRecord, UserRecord } from '../types.js';
import { seedDepartments, seedUsers } from './seed.js';

export type UserIdType = 'open_id' | 'union_id' | 'user_id' | 'email' | 'mobile';

export interface DirectorySnapshot {
  users: UserRecord[];
  departments: DepartmentRecord[];
}

/** The tenant's people and departments. */
export class DirectoryState implements Slice<DirectorySnapshot> {
  users: UserRecord[] = seedUsers();
  departments: DepartmentRecord[] = seedDepartments();

  get tenantKey(): string {
    return DEFAULT_TENANT_KEY;
  }

  reset(): void {
    this.users = seedUsers();
    this.departments = seedDepartments();
  }

  snapshot(): DirectorySnapshot {
    return { users: this.users, departments: this.departments };
  }

  restore(json: DirectorySnapshot): void {
    this.users = json.users ?? [];
    this.departments = json.departments ?? [];
  }

  inspect(): Record<string, unknown> {
    return { tenant_key: this.tenantKey, users: this.users, departments: this.departments };
  }

  findUser(id: string, type: UserIdType = 'open_id'): UserRecord | undefined {
    switch (type) {
      case 'open_id':
        return this.users.find((u) => u.open_id === id);
      case 'union_id':
        return this.users.find((u) => u.union_id === id);
      case 'user_id':
        return this.users.find((u) => u.user_id === id);
      case 'email':
        return this.users.find((u) => u.email.toLowerCase() === id.toLowerCase());
      case 'mobile':
        return this.users.find((u) => u.mobile === id || u.mobile.replace(/^\+86/, '') === id);
    }
  }

  /** The user's id of the requested type (open_id when the type is unknown). */
  userIdOf(user: UserRecord, type: string | undefined): string {
    if (type === 'union_id') return user.union_id;
    if (type === 'user_id') return user.user_id;
    return user.open_id;
  }
}
