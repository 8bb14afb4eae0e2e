/** A small XML reader for tests: elements, attributes and text, with entity decoding; throws on bad nesting. */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    const value = ENTITIES[name];
    if (value === undefined) throw new Error(`unknown entity ${whole}`);
    return value;
  });
}

/** Parses one document; the prolog is skipped; a raw "<" or "&" in text is an error, as in XML. */
export function parseXml(source: string): XmlElement {
  let i = 0;
  const skipProlog = () => {
    if (source.startsWith('<?xml', i)) i = source.indexOf('?>', i) + 2;
  };
  skipProlog();
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < source.length) {
    const lt = source.indexOf('<', i);
    const textEnd = lt < 0 ? source.length : lt;
    const text = source.slice(i, textEnd);
    if (text.includes('&') && /&(?!(#x[0-9a-f]+|#\d+|\w+);)/i.test(text)) throw new Error(`bare "&" in text at ${i}`);
    if (stack.length > 0) (stack.at(-1) as XmlElement).text += decodeEntities(text);
    else if (text.trim() !== '') throw new Error(`text outside the root at ${i}`);
    if (lt < 0) break;
    const gt = source.indexOf('>', lt);
    if (gt < 0) throw new Error(`unclosed tag at ${lt}`);
    const tag = source.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const open = stack.pop();
      if (!open || open.name !== tag.slice(1).trim())
        throw new Error(`</${tag.slice(1)}> closes <${open?.name ?? 'nothing'}>`);
      if (stack.length === 0) root = open;
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const nameMatch = /^([A-Za-z_][\w.-]*)/.exec(body);
    if (!nameMatch) throw new Error(`bad tag <${tag}>`);
    const attrs: Record<string, string> = {};
    const rest = body.slice(nameMatch[0].length);
    const attrRe = /\s+([A-Za-z_][\w.-]*)="([^"<]*)"/gy;
    let m: RegExpExecArray | null;
    let consumed = 0;
    while ((m = attrRe.exec(rest)) !== null) {
      attrs[m[1] as string] = decodeEntities(m[2] as string);
      consumed = attrRe.lastIndex;
    }
    if (rest.slice(consumed).trim() !== '') throw new Error(`bad attributes in <${tag}>`);
    const el: XmlElement = { name: nameMatch[1] as string, attrs, children: [], text: '' };
    if (stack.length > 0) (stack.at(-1) as XmlElement).children.push(el);
    else if (root !== undefined) throw new Error('a second root element');
    if (selfClosing) {
      if (stack.length === 0) root = el;
    } else stack.push(el);
  }
  if (stack.length > 0) throw new Error(`<${(stack.at(-1) as XmlElement).name}> is never closed`);
  if (!root) throw new Error('no root element');
  return root;
}
