import { defineConfig } from 'akara/config';

/**
 * The README's pipeline example: the catalog's titles (examples/transforms/titles.xsl), those since a
 * year (since.xsl), as JSON. `?trace=1` shows each stage.
 */
export default defineConfig({
  port: 8880,
  resources: [{ mount: '/docs', root: './docs' }],
  transforms: './transforms',
  pipelines: [{
    id: 'http://example.org/pipelines/recent-titles',
    path: '/recent-titles',
    description: 'The titles of the catalog since a year, as JSON',
    stages: [
      { service: 'http://purl.org/akara/services/builtin/xslt', params: { '@xslt': 'titles' } },
      { service: 'http://purl.org/akara/services/builtin/xslt', params: { '@xslt': 'since', min: '1965' } },
      { service: 'http://purl.org/akara/services/builtin/xml2json' },
    ],
  }],
  pipelineTrace: true,
});
