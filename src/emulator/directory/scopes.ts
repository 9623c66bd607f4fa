import type { ScopeTable } from '../product.js';

/**
 * The scopes of contact v3, from each API's "权限要求" (any one suffices) in the platform's docs
 * (服务端 API › 通讯录). Field scopes (email, mobile, employee_id…) only shape what a call returns and
 * are not checked (see the README's known differences).
 */
export const directoryScopes: ScopeTable = {
  'GET /open-apis/contact/v3/users/:user_id': ['contact:contact.base:readonly', 'contact:contact:access_as_app', 'contact:contact:readonly', 'contact:contact:readonly_as_app'],
  'GET /open-apis/contact/v3/users/batch': ['contact:contact.base:readonly'],
  'POST /open-apis/contact/v3/users/batch_get_id': ['contact:user.id:readonly'],
  'GET /open-apis/contact/v3/users/find_by_department': ['contact:contact.base:readonly', 'contact:department.organize:readonly', 'contact:contact:access_as_app', 'contact:contact:readonly', 'contact:contact:readonly_as_app'],
  'GET /open-apis/contact/v3/users': ['contact:department.organize:readonly', 'contact:contact:readonly_as_app', 'contact:contact:readonly', 'contact:contact:access_as_app'],
  'GET /open-apis/contact/v3/departments/:department_id': ['contact:contact.base:readonly', 'contact:contact:access_as_app', 'contact:contact:readonly', 'contact:contact:readonly_as_app'],
  'GET /open-apis/contact/v3/departments/:department_id/children': ['contact:contact.base:readonly', 'contact:department.organize:readonly', 'contact:contact:access_as_app', 'contact:contact:readonly', 'contact:contact:readonly_as_app'],
  'GET /open-apis/contact/v3/departments/batch': ['contact:contact.base:readonly'],
  'GET /open-apis/contact/v3/departments/parent': ['contact:contact.base:readonly', 'contact:department.organize:readonly', 'contact:contact:access_as_app', 'contact:contact:readonly', 'contact:contact:readonly_as_app'],
  'GET /open-apis/contact/v3/departments': ['contact:contact.base:readonly', 'contact:contact:readonly_as_app', 'contact:department.organize:readonly', 'contact:contact:access_as_app', 'contact:contact:readonly'],
  'GET /open-apis/contact/v3/scopes': ['contact:contact.base:readonly', 'contact:contact:access_as_app', 'contact:contact:readonly_as_app'],
};

export const directoryScopeNames: Record<string, string> = {
  'contact:contact.base:readonly': 'Read basic contact information',
  'contact:contact:access_as_app': 'Access contacts as the app',
  'contact:contact:readonly': 'Read contacts',
  'contact:contact:readonly_as_app': 'Read contacts as the app',
  'contact:department.organize:readonly': 'Read the organisation of departments',
  'contact:user.id:readonly': 'Get user IDs by mobile number or email',
};
