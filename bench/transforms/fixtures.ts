import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The transform bench's documents and stylesheets, generated the same way every run into a temp folder:
 * catalogs of N records (id, title, author, year, price, category), and the stylesheets that render them.
 */

export const CATEGORIES = ['fiction', 'history', 'poetry', 'science', 'travel', 'cookery', 'drama', 'essays'] as const;
/** The category `page.xsl` lists through `key('by-category', $category)` (a string argument: see page.xsl). */
export const KEY_CATEGORY = 'poetry';

const ADJECTIVES = ['Silent', 'Hidden', 'Broken', 'Golden', 'Distant', 'Quiet', 'Burning', 'Frozen', 'Last', 'Secret',
  'Wandering', 'Crimson', 'Endless', 'Hollow', 'Northern', 'Painted', 'Restless', 'Sunken', 'Velvet', 'Wild'];
const NOUNS = ['River', 'Garden', 'Harbour', 'Mountain', 'Lantern', 'Orchard', 'Kingdom', 'Library', 'Voyage', 'Winter',
  'Compass', 'Meadow', 'Island', 'Archive', 'Forest', 'Tower', 'Letter', 'Mirror', 'Bridge', 'Shore'];
const PLACES = ['of Glass', 'at Dawn', 'in Amber', 'of Salt', 'by Night', 'of Ashes', 'in Spring', 'of Stone', 'at Sea',
  'of Echoes', 'in Exile', 'of Paper', 'at Noon', 'of Iron', 'in Rain', 'of Smoke', 'at Rest', 'of Wind', 'in Bloom', 'of Dust'];
const FIRST = ['Ada', 'Bruno', 'Clara', 'Dmitri', 'Elena', 'Farid', 'Greta', 'Hiro', 'Ines', 'Jonas', 'Kemal', 'Lena', 'Mateo', 'Nora'];
const LAST = ['Okafor', 'Petrov', 'Quist', 'Rossi', 'Santos', 'Tanaka', 'Ueda', 'Varga', 'Weber', 'Xu', 'Yilmaz', 'Zamora'];

export interface CatalogRecord {
  id: string;
  /** As written in the document: padded with spaces and a newline, which `normalize-space` removes. */
  rawTitle: string;
  title: string;
  author: string;
  year: number;
  price: string;
  category: string;
}

/** The `n`th record of every catalog: the first N records of a bigger catalog are the smaller one. */
function recordAt(i: number): CatalogRecord {
  // 8000 distinct titles (20 x 20 x 20): a multiplier coprime to 8000 walks all of them without repeating.
  const t = (i * 2_377 + 11) % 8_000;
  const title = `${ADJECTIVES[t % 20]} ${NOUNS[Math.floor(t / 20) % 20]} ${PLACES[Math.floor(t / 400)]}`;
  return {
    id: `r${String(i + 1).padStart(6, '0')}`,
    rawTitle: `  ${title.replace(' ', '  ')}\n    `,
    title,
    author: `${FIRST[(i * 7) % FIRST.length]} ${LAST[(i * 5) % LAST.length]}`,
    year: 1900 + ((i * 37) % 125),
    price: (5 + ((i * 1_301) % 9_500) / 100).toFixed(2),
    category: CATEGORIES[(i * 3) % CATEGORIES.length]!,
  };
}

export function catalogRecords(count: number): CatalogRecord[] {
  if (count > 8_000 * 10) throw new Error('catalogRecords: titles repeat past 80 000 records');
  return Array.from({ length: count }, (_, i) => recordAt(i));
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function catalogXml(records: readonly CatalogRecord[]): string {
  const lines = records.map((r) => `  <record id="${r.id}">\n    <title>${escape(r.rawTitle)}</title>\n    <author>${r.author}</author>\n`
    + `    <year>${r.year}</year>\n    <price currency="EUR">${r.price}</price>\n    <category>${r.category}</category>\n`
    + '  </record>\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<catalog generated="akara-bench" records="${records.length}">\n${lines.join('')}</catalog>\n`;
}

/**
 * The page-rendering stylesheet: the layout module it imports builds the page around whatever the
 * importing module renders (import precedence decides). Template matching with a predicate in a match
 * pattern, xsl:sort, xsl:key, predicates, concat/substring/translate/normalize-space.
 *
 * Written around three things xslt-processor 5.1.2 gets wrong or slow, so that the bench measures the
 * page and not a gap:
 * - `key()` is called with a string: with a node-set second argument it answers an empty node-set (a
 *   known gap), so `key('by-category', category)` would find nothing;
 * - the class is one `xsl:attribute`, not a literal attribute that `xsl:attribute` overrides: the engine
 *   keeps the literal one (known gap 048);
 * - no predicate in a match pattern (`match="record[price &gt; 90]"`): the engine matches such a pattern
 *   by evaluating `//record[price &gt; 90]` from the root for every node it tries, O(n^2): 250 records
 *   took 7.4 s instead of 0.34 s. The predicate is a test in the template instead.
 */
export const PAGE_XSL = `<?xml version="1.0" encoding="UTF-8"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="layout.xsl"/>
  <xsl:output method="html"/>
  <xsl:key name="by-category" match="record" use="category"/>
  <xsl:param name="category" select="'${KEY_CATEGORY}'"/>

  <xsl:template match="catalog" mode="title">
    <xsl:value-of select="concat('Catalog: ', count(record), ' records')"/>
  </xsl:template>

  <xsl:template match="catalog">
    <h1><xsl:apply-templates select="." mode="title"/></h1>
    <p class="key"><xsl:value-of select="count(key('by-category', $category))"/> in <xsl:value-of select="$category"/></p>
    <p class="recent"><xsl:value-of select="count(record[year &gt;= 2000 and price &lt; 20])"/> recent and cheap</p>
    <ul>
      <xsl:apply-templates select="record">
        <xsl:sort select="normalize-space(title)"/>
      </xsl:apply-templates>
    </ul>
  </xsl:template>

  <xsl:template match="record">
    <li id="{@id}">
      <xsl:attribute name="class">
        <xsl:choose>
          <xsl:when test="price &gt; 90">dear</xsl:when>
          <xsl:otherwise><xsl:value-of select="translate(category, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')"/></xsl:otherwise>
        </xsl:choose>
      </xsl:attribute>
      <xsl:call-template name="line"/>
    </li>
  </xsl:template>

  <xsl:template name="line">
    <b><xsl:value-of select="normalize-space(title)"/></b>
    <xsl:value-of select="concat(' by ', substring(author, 1, 1), '. ', substring-after(author, ' '), ', ', year)"/>
    <xsl:if test="substring(year, 1, 2) = '19'"><i> (20th c.)</i></xsl:if>
    <span class="price"><xsl:value-of select="concat(price, ' ', price/@currency)"/></span>
  </xsl:template>
</xsl:stylesheet>
`;

export const LAYOUT_XSL = `<?xml version="1.0" encoding="UTF-8"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="html"/>

  <xsl:template match="/">
    <html>
      <head><title><xsl:apply-templates select="*" mode="title"/></title></head>
      <body><xsl:apply-templates select="*"/><footer>Akara bench</footer></body>
    </html>
  </xsl:template>

  <xsl:template match="*" mode="title">Untitled</xsl:template>
</xsl:stylesheet>
`;

export const IDENTITY_XSL = `<?xml version="1.0" encoding="UTF-8"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="xml"/>
  <xsl:template match="@*|node()">
    <xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy>
  </xsl:template>
</xsl:stylesheet>
`;

export interface Fixture {
  /** The document's file name in `docs`. */
  name: string;
  records: CatalogRecord[];
  bytes: Buffer;
}

export interface Fixtures {
  folder: string;
  /** The folder mounted as a resource space. */
  docs: string;
  /** The folder of named transforms: page.xsl (importing layout.xsl), identity.xsl. */
  transforms: string;
  small: Fixture;
  medium: Fixture;
  large: Fixture;
}

export const RECORDS = { small: 10, medium: 5_000, large: 25_000 } as const;

/** What the tables call a catalog of that many records. */
export function sizeLabel(records: number): string {
  return records === RECORDS.small ? '2 KB' : records === RECORDS.medium ? '1 MB' : records === RECORDS.large ? '5 MB' : `${records} records`;
}

/** Writes the documents and stylesheets into a new temp folder. */
export function writeFixtures(): Fixtures {
  const folder = mkdtempSync(join(tmpdir(), 'akara-bench-'));
  const docs = join(folder, 'docs');
  const transforms = join(folder, 'transforms');
  mkdirSync(docs);
  mkdirSync(transforms);
  writeFileSync(join(transforms, 'page.xsl'), PAGE_XSL);
  writeFileSync(join(transforms, 'layout.xsl'), LAYOUT_XSL);
  writeFileSync(join(transforms, 'identity.xsl'), IDENTITY_XSL);
  const fixture = (name: string, count: number): Fixture => {
    const records = catalogRecords(count);
    const bytes = Buffer.from(catalogXml(records), 'utf8');
    writeFileSync(join(docs, name), bytes);
    return { name, records, bytes };
  };
  return {
    folder,
    docs,
    transforms,
    small: fixture('catalog-2kb.xml', RECORDS.small),
    medium: fixture('catalog-1mb.xml', RECORDS.medium),
    large: fixture('catalog-5mb.xml', RECORDS.large),
  };
}

/** The most bytes of a document, fetched resource, request body and parsed XML the transform bench allows. */
export const DOCUMENT_LIMIT_BYTES = 64 * 1024 * 1024;
