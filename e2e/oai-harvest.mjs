// Harvests a kb node with paperhive's oai-pmh, a Node.js OAI-PMH client nobody here
// wrote: Identify, then every record in both formats through its resumption tokens.
// Prints one line per record (prefix, identifier, deleted or not, whether it carries a
// provenance container), then a count per format.
import pkg from 'oai-pmh';

const { OaiPmh } = pkg;
const base = process.argv[2];
if (!base) {
  console.error('usage: node oai-harvest.mjs BASE_URL');
  process.exit(2);
}
const oai = new OaiPmh(base);
const id = await oai.identify();
console.log(`identify\t${id.repositoryName}\t${id.protocolVersion}`);
for (const prefix of ['oai_dc', 'kb']) {
  let n = 0;
  for await (const rec of oai.listRecords({ metadataPrefix: prefix })) {
    const deleted = rec.header.$ && rec.header.$.status === 'deleted';
    const relayed = JSON.stringify(rec.about || '').includes('originDescription');
    console.log(`record\t${prefix}\t${rec.header.identifier}\t${deleted ? 'deleted' : 'live'}\t${relayed ? 'relayed' : 'own'}`);
    n++;
  }
  console.log(`count\t${prefix}\t${n}`);
}
