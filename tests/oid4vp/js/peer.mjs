// The independent OpenID4VP peer of tests/oid4vp: @openid4vc/openid4vp (requests,
// responses, client identifiers), dcql (the DCQL reference library) and @sd-jwt/core
// (SD-JWT + KB-JWT verification). Keys and signatures use node:crypto only.
//
// node peer.mjs COMMAND  with one JSON document on stdin; JSON lines on stdout.
//   parse-request {link}            resolve one of our requests (request_uri fetched,
//                                   request object signature checked) and read its query
//   verifier {signed, dcql_query}   serve a request on 127.0.0.1, print {link, ...}, take
//                                   one direct_post, validate it, verify each SD-JWT,
//                                   print the result and exit
//   submit {link, vp_token}         resolve our request and answer it with vp_token
//   query {dcql_query, credentials} run the dcql library's matching (holder side)

import { createHash, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto'
import { createServer } from 'node:http'
import { readFileSync } from 'node:fs'

import {
  Openid4vpVerifier,
  createOpenid4vpAuthorizationResponse,
  parseOpenid4vpAuthorizationRequest,
  parseOpenid4vpAuthorizationResponse,
  resolveOpenid4vpAuthorizationRequest,
  submitOpenid4vpAuthorizationResponse,
} from '@openid4vc/openid4vp'
import { setGlobalConfig } from '@openid4vc/utils'
import { SDJwtInstance } from '@sd-jwt/core'
import { DcqlPresentationResult, DcqlQuery } from 'dcql'

// Loopback http only: the test servers run on 127.0.0.1 without TLS.
setGlobalConfig({ allowInsecureUrls: true })

const b64url = (data) => Buffer.from(data).toString('base64url')
const fromB64url = (text) => Buffer.from(text, 'base64url')
const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'

function base58(text) {
  let n = 0n
  for (const ch of text) {
    const i = ALPHABET.indexOf(ch)
    if (i < 0) throw new Error('bad base58')
    n = n * 58n + BigInt(i)
  }
  const bytes = []
  while (n > 0n) { bytes.unshift(Number(n % 256n)); n /= 256n }
  for (const ch of text) { if (ch === '1') bytes.unshift(0); else break }
  return Buffer.from(bytes)
}

// did:key (Ed25519 multicodec 0xed01) and did:jwk, resolved here, independently.
function didKeyJwk(didUrl) {
  const did = didUrl.split('#')[0]
  if (did.startsWith('did:jwk:')) return JSON.parse(fromB64url(did.slice(8)).toString())
  if (did.startsWith('did:key:z')) {
    const raw = base58(did.slice(9))
    if (raw[0] === 0xed && raw[1] === 0x01) return { kty: 'OKP', crv: 'Ed25519', x: b64url(raw.subarray(2)) }
  }
  throw new Error(`cannot resolve ${did}`)
}

function jwkOfSigner(signer) {
  if (signer.method === 'jwk') return signer.publicJwk
  if (signer.method === 'did') return didKeyJwk(signer.didUrl)
  throw new Error(`unsupported signer method ${signer.method}`)
}

function verifyCompact(compact, jwk) {
  const [h, p, s] = compact.split('.')
  const alg = JSON.parse(fromB64url(h)).alg
  const key = createPublicKey({ key: jwk, format: 'jwk' })
  const data = Buffer.from(`${h}.${p}`)
  if (alg === 'EdDSA' || alg === 'Ed25519') return verify(null, data, key, fromB64url(s))
  if (alg === 'ES256') return verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, fromB64url(s))
  throw new Error(`unsupported alg ${alg}`)
}

const hash = (data, alg) => createHash((alg || 'sha-256').replace('-', '').toLowerCase()).update(data).digest()

const callbacks = {
  hash: (data) => createHash('sha256').update(data).digest(),
  fetch: (...args) => fetch(...args),
  verifyJwt: async (signer, jwt) => {
    const jwk = jwkOfSigner(signer)
    return verifyCompact(jwt.compact, jwk) ? { verified: true, signerJwk: jwk } : { verified: false }
  },
}

function input() {
  return JSON.parse(readFileSync(0, 'utf8') || '{}')
}

function out(value) {
  process.stdout.write(JSON.stringify(value) + '\n')
}

async function resolveLink(link) {
  const parsed = parseOpenid4vpAuthorizationRequest({ authorizationRequest: link })
  const resolved = await resolveOpenid4vpAuthorizationRequest({
    authorizationRequestPayload: parsed.params,
    callbacks,
  })
  return { parsed, resolved }
}

async function parseRequest({ link }) {
  const { parsed, resolved } = await resolveLink(link)
  const query = DcqlQuery.parse(resolved.dcql.query)
  DcqlQuery.validate(query)
  out({
    provided: parsed.type,
    version: resolved.version,
    client: resolved.client,
    signed: resolved.jar !== undefined,
    signer: resolved.jar?.signer ?? null,
    payload: resolved.authorizationRequestPayload,
    dcql_valid: true,
  })
}

// SD-JWT + KB-JWT, checked by @sd-jwt/core: issuer signature (key from the iss did:key
// or did:jwk), disclosures, KB-JWT signature by cnf.jwk, sd_hash and nonce; aud here.
async function verifySdJwt(presentation, { nonce, clientId }) {
  const issuerJwt = presentation.split('~')[0]
  const header = JSON.parse(fromB64url(issuerJwt.split('.')[0]))
  const payload = JSON.parse(fromB64url(issuerJwt.split('.')[1]))
  const issuerJwk = didKeyJwk(header.kid || payload.iss)
  const checkWith = (jwk) => (data, sig) => verifyCompact(`${data}.${sig}`, jwk)
  const sdjwt = new SDJwtInstance({
    hasher: hash,
    verifier: checkWith(issuerJwk),
    kbVerifier: (data, sig, p) => checkWith(p.cnf.jwk)(data, sig),
  })
  const result = await sdjwt.verify(presentation, { keyBindingNonce: nonce })
  const kb = result.kb?.payload
  if (!kb || kb.aud !== clientId) throw new Error(`KB-JWT aud ${kb?.aud} is not ${clientId}`)
  const claims = await sdjwt.getClaims(presentation)
  return { vct: claims.vct, claims, kb_aud: kb.aud, kb_nonce: kb.nonce }
}

async function runVerifier({ signed, dcql_query: dcqlQuery, name }) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const publicJwk = publicKey.export({ format: 'jwk' })
  const did = `did:jwk:${b64url(JSON.stringify(publicJwk))}`
  const signJwt = async (_signer, { header, payload }) => {
    const data = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`
    return { jwt: `${data}.${b64url(sign(null, Buffer.from(data), privateKey))}`, signerJwk: publicJwk }
  }
  const verifier = new Openid4vpVerifier({ callbacks: { ...callbacks, signJwt } })
  let jarText = null
  let request = null
  let finish
  const done = new Promise((resolve) => { finish = resolve })
  const server = createServer(async (req, res) => {
    const chunks = []
    for await (const chunk of req) chunks.push(chunk)
    const body = Buffer.concat(chunks).toString()
    if (req.url === '/request' && jarText) {
      res.writeHead(200, { 'content-type': 'application/oauth-authz-req+jwt' }).end(jarText)
      return
    }
    if (req.url === '/response' && req.method === 'POST') {
      const form = Object.fromEntries(new URLSearchParams(body))
      const result = { received: Object.keys(form).sort() }
      try {
        const parsed = await parseOpenid4vpAuthorizationResponse({
          authorizationResponse: form,
          authorizationRequestPayload: request,
          callbacks,
        })
        result.type = parsed.type
        result.state_ok = parsed.authorizationResponsePayload.state === request.state
        const presented = {}
        result.sd_jwt = {}
        for (const [id, items] of Object.entries(parsed.dcql.presentations)) {
          presented[id] = []
          for (const item of items) {
            if (typeof item === 'string' && item.includes('~')) {
              const verified = await verifySdJwt(item, { nonce: request.nonce, clientId: request.client_id })
              result.sd_jwt[id] = verified
              presented[id].push({
                credential_format: 'dc+sd-jwt', vct: verified.vct, claims: verified.claims,
                cryptographic_holder_binding: true,
              })
            } else if (typeof item === 'object') {
              result.ldp_vp = { proof: item.proof, types: item.type }
              const vc = [].concat(item.verifiableCredential)[0]
              presented[id].push({
                credential_format: 'ldp_vc', type: [].concat(vc.type), claims: vc,
                cryptographic_holder_binding: true,
              })
            }
          }
        }
        const dcql = DcqlPresentationResult.fromDcqlPresentation(presented, { dcqlQuery: DcqlQuery.parse(dcqlQuery) })
        result.dcql_satisfied = dcql.can_be_satisfied
        result.ok = result.state_ok && result.dcql_satisfied
      } catch (error) {
        result.ok = false
        result.error = String(error?.message ?? error).slice(0, 500)
      }
      res.writeHead(result.ok ? 200 : 400, { 'content-type': 'application/json' }).end('{}')
      finish(result)
      return
    }
    res.writeHead(404).end()
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${server.address().port}`
  const nonce = b64url(Buffer.from(crypto.getRandomValues(new Uint8Array(24))))
  const state = b64url(Buffer.from(crypto.getRandomValues(new Uint8Array(24))))
  const clientId = signed ? `decentralized_identifier:${did}` : `redirect_uri:${base}/response`
  const payload = {
    response_type: 'vp_token',
    client_id: clientId,
    response_uri: `${base}/response`,
    response_mode: 'direct_post',
    nonce,
    state,
    dcql_query: dcqlQuery,
    client_metadata: {
      client_name: name || 'openid4vp library verifier',
      vp_formats_supported: { 'dc+sd-jwt': { 'sd-jwt_alg_values': ['EdDSA'], 'kb-jwt_alg_values': ['EdDSA'] } },
    },
  }
  const created = await verifier.createOpenId4vpAuthorizationRequest({
    authorizationRequestPayload: payload,
    jar: signed
      ? { requestUri: `${base}/request`, jwtSigner: { method: 'did', didUrl: `${did}#0`, alg: 'EdDSA' } }
      : undefined,
  })
  jarText = created.jar?.authorizationRequestJwt ?? null
  request = created.authorizationRequestPayload
  out({ link: created.authorizationRequest, client_id: clientId, nonce, state })
  const result = await done
  out(result)
  server.close()
}

async function submit({ link, vp_token: vpToken }) {
  const { resolved } = await resolveLink(link)
  const request = resolved.authorizationRequestPayload
  const created = await createOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: request,
    authorizationResponsePayload: { vp_token: vpToken },
    callbacks,
  })
  const { response } = await submitOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: request,
    authorizationResponsePayload: created.authorizationResponsePayload,
    callbacks,
  })
  out({ status: response.status, body: await response.text(), client_id: request.client_id, nonce: request.nonce })
}

async function query({ dcql_query: dcqlQuery, credentials }) {
  const parsed = DcqlQuery.parse(dcqlQuery)
  DcqlQuery.validate(parsed)
  const result = DcqlQuery.query(parsed, credentials)
  const matches = {}
  for (const [id, match] of Object.entries(result.credential_matches)) {
    matches[id] = match.success ? match.valid_credentials.map((c) => c.input_credential_index) : []
  }
  out({ can_be_satisfied: result.can_be_satisfied, matches })
}

const commands = { 'parse-request': parseRequest, verifier: runVerifier, submit, query }
const [command] = process.argv.slice(2)
try {
  if (command === 'versions') {
    const version = (name) => JSON.parse(readFileSync(`node_modules/${name}/package.json`)).version
    out(Object.fromEntries(['@openid4vc/openid4vp', 'dcql', '@sd-jwt/core'].map((n) => [n, version(n)])))
  } else {
    await commands[command](input())
  }
} catch (error) {
  out({ error: String(error?.message ?? error).slice(0, 1000), details: error?.errorResponse ?? null })
  process.exitCode = 3
}
