// Writing the XML documents of the Query protocol: element text and attribute escaping, and a
// string builder. Output only; sesd never reads XML.

// XML 1.0 cannot carry most C0 controls, lone surrogates or U+FFFE/U+FFFF even as character
// references; they become U+FFFD so the document stays well-formed for every parser.
const INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const INVALID_ALL = new RegExp(INVALID.source, 'g');
const SPECIAL = /[&<>"'\r]/;
const SPECIAL_ALL = new RegExp(SPECIAL.source, 'g');
const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // A raw CR would be normalised to LF by the reader; the reference keeps it.
  '\r': '&#xD;',
};

export function escapeXml(text: string): string {
  const s = INVALID.test(text) ? text.replace(INVALID_ALL, '\uFFFD') : text;
  return SPECIAL.test(s) ? s.replace(SPECIAL_ALL, (c) => ENTITIES[c]!) : s;
}

/** Appends elements to one string; names are the model's and need no escaping. */
export class XmlWriter {
  private parts: string[] = [];

  open(name: string, xmlns?: string): this {
    this.parts.push(xmlns ? `<${name} xmlns="${escapeXml(xmlns)}">` : `<${name}>`);
    return this;
  }

  close(name: string): this {
    this.parts.push(`</${name}>`);
    return this;
  }

  /** `<name>text</name>`, or `<name/>` for empty text. */
  text(name: string, value: string): this {
    this.parts.push(value === '' ? `<${name}/>` : `<${name}>${escapeXml(value)}</${name}>`);
    return this;
  }

  /** Already-written XML (from another writer). */
  raw(xml: string): this {
    this.parts.push(xml);
    return this;
  }

  empty(name: string): this {
    this.parts.push(`<${name}/>`);
    return this;
  }

  toString(): string {
    return this.parts.join('');
  }
}
