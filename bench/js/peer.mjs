// The JavaScript peer of `make bench` (issue 11): the Digital Bazaar stack signs Open Badges
// 3.0 credentials (eddsa-rdfc-2022 and ecdsa-rdfc-2019, did:key issuers) and verifies them
// with @digitalbazaar/vc, timed inside node so process start is excluded.
//
// Protocol on stdin/stdout, one JSON object a line:
//   in  {"contexts": {url: document}, "credential": {unsigned OB 3.0 document}}
//   out {"signed": {suite: signed credential}, "versions": {package: version}}
//   in  {"round": suite, "iterations": n}   -> out {"ms": per-credential milliseconds}
//   in  {"quit": true}
import {readFileSync} from 'node:fs';
import readline from 'node:readline';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {cryptosuite as ecdsaRdfc2019} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import {JsonLdDocumentLoader} from 'jsonld-document-loader';

const PACKAGES = [
  '@digitalbazaar/vc', '@digitalbazaar/data-integrity',
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite', '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite',
  '@digitalbazaar/ed25519-multikey', '@digitalbazaar/ecdsa-multikey', 'jsonld-document-loader',
  'jsonld',
];

function versions() {
  const out = {node: process.version};
  for(const name of PACKAGES) {
    try {
      const file = new URL(`./node_modules/${name}/package.json`, import.meta.url);
      out[name] = JSON.parse(readFileSync(file, 'utf8')).version;
    } catch{
      out[name] = 'unknown';
    }
  }
  return out;
}

// did:key issuer: its DID document lists the key for assertionMethod, as did:key does.
async function issuerKey(kind) {
  const key = kind === 'eddsa-rdfc-2022' ?
    await Ed25519Multikey.generate() :
    await EcdsaMultikey.generate({curve: 'P-256'});
  const did = `did:key:${key.publicKeyMultibase}`;
  key.controller = did;
  key.id = `${did}#${key.publicKeyMultibase}`;
  const method = await key.export({publicKey: true, includeContext: true});
  const didDocument = {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: did,
    verificationMethod: [{...method, '@context': undefined}],
    assertionMethod: [key.id],
    authentication: [key.id],
  };
  delete didDocument.verificationMethod[0]['@context'];
  return {key, did, method, didDocument};
}

function suiteFor(kind, key) {
  const cryptosuite = kind === 'eddsa-rdfc-2022' ? eddsaRdfc2022 : ecdsaRdfc2019;
  return key ? new DataIntegrityProof({signer: key.signer(), cryptosuite}) :
    new DataIntegrityProof({cryptosuite});
}

async function main() {
  const lines = readline.createInterface({input: process.stdin});
  const iterator = lines[Symbol.asyncIterator]();
  const next = async () => JSON.parse((await iterator.next()).value);
  const send = value => process.stdout.write(JSON.stringify(value) + '\n');

  const setup = await next();
  const loader = new JsonLdDocumentLoader();
  for(const [url, document] of Object.entries(setup.contexts)) {
    loader.addStatic(url, document);
  }
  const signed = {};
  for(const kind of ['eddsa-rdfc-2022', 'ecdsa-rdfc-2019']) {
    const {key, did, method, didDocument} = await issuerKey(kind);
    loader.addStatic(did, didDocument);
    loader.addStatic(key.id, method);
    const credential = structuredClone(setup.credential);
    credential.issuer = {...credential.issuer, id: did};
    signed[kind] = await vc.issue({
      credential, suite: suiteFor(kind, key), documentLoader: loader.build()
    });
  }
  const documentLoader = loader.build();
  const verify = async kind => {
    const result = await vc.verifyCredential({
      credential: signed[kind], suite: suiteFor(kind), documentLoader
    });
    if(!result.verified) {
      throw new Error(`peer failed to verify its own ${kind} credential: ` +
        JSON.stringify(result.error || result));
    }
  };
  for(const kind of Object.keys(signed)) {
    await verify(kind); // warm-up: contexts processed once, as the wallet's are
  }
  send({signed, versions: versions()});

  for(;;) {
    const message = await next();
    if(message.quit) {
      break;
    }
    const start = process.hrtime.bigint();
    for(let i = 0; i < message.iterations; i++) {
      await verify(message.round);
    }
    const ns = Number(process.hrtime.bigint() - start);
    send({ms: ns / 1e6 / message.iterations});
  }
  lines.close();
}

main().catch(error => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
