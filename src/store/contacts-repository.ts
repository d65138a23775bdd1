// Contact lists, their contacts, and the secret that signs unsubscribe links (a `settings` row, so
// every sesd node sharing the database signs and checks links alike).
import type { Kysely, Selectable } from 'kysely';
import type { Contact } from '../domain/contacts/contact.js';
import type { ContactList, Topic } from '../domain/contacts/contact-list.js';
import type { Scope } from '../domain/identities/identity.js';
import { countNamed, deleteNamed } from './named-rows.js';
import { StoredSecret } from './stored-secret.js';
import type { ContactListsTable, ContactsTable, Database } from './schema.js';

const UNSUBSCRIBE_SECRET = 'unsubscribe-secret';

export class ContactsRepository {
  private readonly secret: StoredSecret;

  constructor(private readonly db: Kysely<Database>) {
    this.secret = new StoredSecret(db, UNSUBSCRIBE_SECRET);
  }

  /** The list with its topics (what intake checks ListManagementOptions against), or undefined. */
  async getList(scope: Scope, name: string): Promise<ContactList | undefined> {
    const row = await this.db
      .selectFrom('contact_lists')
      .selectAll()
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('name', '=', name)
      .executeTakeFirst();
    return row && toList(row);
  }

  async listExists(scope: Scope, name: string): Promise<boolean> {
    return (await this.getList(scope, name)) !== undefined;
  }

  async createList(list: ContactList): Promise<boolean> {
    const res = await this.db
      .insertInto('contact_lists')
      .values({ account_id: list.accountId, region: list.region, name: list.name, ...listColumns(list), created_at: list.createdAt })
      .onConflict((oc) => oc.columns(['account_id', 'region', 'name']).doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async updateList(list: ContactList): Promise<boolean> {
    const res = await this.db
      .updateTable('contact_lists')
      .set(listColumns(list))
      .where('account_id', '=', list.accountId)
      .where('region', '=', list.region)
      .where('name', '=', list.name)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** Deletes the list and every contact on it. */
  async deleteList(scope: Scope, name: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('contacts').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('contact_list', '=', name).execute();
      return deleteNamed(trx, 'contact_lists', scope, name);
    });
  }

  async countLists(scope: Scope): Promise<number> {
    return countNamed(this.db, 'contact_lists', scope);
  }

  async listLists(scope: Scope, page: { after?: string; limit: number }): Promise<ContactList[]> {
    let q = this.db.selectFrom('contact_lists').selectAll().where('account_id', '=', scope.accountId).where('region', '=', scope.region);
    if (page.after !== undefined) q = q.where('name', '>', page.after);
    const rows = await q.orderBy('name').limit(page.limit).execute();
    return rows.map(toList);
  }

  async getContact(scope: Scope, listName: string, email: string): Promise<Contact | undefined> {
    const row = await this.db
      .selectFrom('contacts')
      .selectAll()
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('contact_list', '=', listName)
      .where('email_address', '=', email)
      .executeTakeFirst();
    return row && toContact(row);
  }

  /** False when the address is already on the list. */
  async createContact(c: Contact): Promise<boolean> {
    const res = await this.db
      .insertInto('contacts')
      .values({
        account_id: c.accountId,
        region: c.region,
        contact_list: c.listName,
        email_address: c.emailAddress,
        ...contactColumns(c),
        created_at: c.createdAt,
      })
      .onConflict((oc) => oc.columns(['account_id', 'region', 'contact_list', 'email_address']).doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async updateContact(c: Contact): Promise<boolean> {
    const res = await this.db
      .updateTable('contacts')
      .set(contactColumns(c))
      .where('account_id', '=', c.accountId)
      .where('region', '=', c.region)
      .where('contact_list', '=', c.listName)
      .where('email_address', '=', c.emailAddress)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async deleteContact(scope: Scope, listName: string, email: string): Promise<boolean> {
    const res = await this.db
      .deleteFrom('contacts')
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('contact_list', '=', listName)
      .where('email_address', '=', email)
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  /** By address; `after` is the last address already read. */
  async listContacts(scope: Scope, listName: string, page: { after?: string; limit: number }): Promise<Contact[]> {
    let q = this.db
      .selectFrom('contacts')
      .selectAll()
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('contact_list', '=', listName);
    if (page.after !== undefined) q = q.where('email_address', '>', page.after);
    const rows = await q.orderBy('email_address').limit(page.limit).execute();
    return rows.map(toContact);
  }

  /**
   * The secret that signs unsubscribe links: made once, on first use, and kept in the database.
   * Concurrent first uses (other nodes included) agree, because only one insert can win.
   */
  unsubscribeSecret(): Promise<string> {
    return this.secret.get();
  }
}

function listColumns(list: ContactList) {
  return { description: list.description ?? null, topics: JSON.stringify(list.topics), updated_at: list.updatedAt };
}

function toList(r: Selectable<ContactListsTable>): ContactList {
  const list: ContactList = {
    accountId: r.account_id,
    region: r.region,
    name: r.name,
    topics: JSON.parse(r.topics) as Topic[],
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
  if (r.description !== null) list.description = r.description;
  return list;
}

function contactColumns(c: Contact) {
  return {
    topic_preferences: JSON.stringify(c.topicPreferences),
    unsubscribe_all: c.unsubscribeAll ? 1 : 0,
    attributes_data: c.attributesData ?? null,
    updated_at: c.updatedAt,
  };
}

function toContact(r: Selectable<ContactsTable>): Contact {
  const c: Contact = {
    accountId: r.account_id,
    region: r.region,
    listName: r.contact_list,
    emailAddress: r.email_address,
    topicPreferences: JSON.parse(r.topic_preferences) as Contact['topicPreferences'],
    unsubscribeAll: Boolean(r.unsubscribe_all),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
  if (r.attributes_data !== null) c.attributesData = r.attributes_data;
  return c;
}
