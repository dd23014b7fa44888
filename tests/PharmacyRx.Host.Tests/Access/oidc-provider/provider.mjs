// A certified OpenID provider (the npm package oidc-provider) on loopback for the sign-in tests: two issuers on two
// ports that share one signing key (as Entra ID's tenants do), so a token of the other issuer carries a signature the
// pharmacy's issuer's keys accept and only the issuer check can refuse it. Synthetic people only; any password passes
// (its development login pages stand in for the pharmacy's sign-in page and lockout).
//
// node provider.mjs '{"module":".../oidc-provider/lib/index.js","ports":[A,B],"redirectUris":[...],"secret":"..."}'
// prints one line {"issuers":["http://127.0.0.1:A","http://127.0.0.1:B"]} once both listen, then {"pushed":{…}} per pushed request.
import { generateKeyPairSync } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const settings = JSON.parse(process.argv[2]);
// Installed by scripts/test.sh into .cache/oidc-provider/, outside any node_modules this file could resolve from.
const { default: Provider } = await import(pathToFileURL(settings.module).href);

// Two people in two groups; a third whose display name and near-miss groups mimic the pharmacists' group; a fourth whose
// subject is a local account's user name ("admin").
const people = {
  'pharmacist-7f3a': { name: 'Synthetic Pharmacist', groups: ['rx-pharmacists'] },
  admin: { name: 'Synthetic Technician', groups: ['rx-technicians'] },
  'outsider-19c2': { name: 'rx-pharmacists', groups: ['RX-PHARMACISTS', 'rx-pharmacists ', 'cafeteria'] },
};

const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
const clients = [
  { client_id: 'pharmacyrx', client_secret: settings.secret, redirect_uris: settings.redirectUris },
  { client_id: 'other-app', client_secret: settings.secret, redirect_uris: settings.redirectUris },
].map((client) => ({ ...client, token_endpoint_auth_method: 'client_secret_post', grant_types: ['authorization_code'], response_types: ['code'] }));

// Each issuer keeps its own codes, sessions and grants, as two real providers do (the package's development adapter is
// one store for every provider in a process).
function memoryAdapter() {
  const store = new Map();
  return class {
    constructor(name) { this.name = name; }
    key(id) { return `${this.name}:${id}`; }
    async upsert(id, payload) { store.set(this.key(id), payload); }
    async find(id) { return store.get(this.key(id)); }
    async findByUid(uid) { return [...store.entries()].find(([k, v]) => k.startsWith(`${this.name}:`) && v.uid === uid)?.[1]; }
    async findByUserCode(code) { return [...store.entries()].find(([k, v]) => k.startsWith(`${this.name}:`) && v.userCode === code)?.[1]; }
    async consume(id) { const payload = store.get(this.key(id)); if (payload) payload.consumed = Math.floor(Date.now() / 1000); }
    async destroy(id) { store.delete(this.key(id)); }
    async revokeByGrantId(grantId) { for (const [k, v] of store) if (v.grantId === grantId) store.delete(k); }
  };
}

const issuers = [];
for (const port of settings.ports) {
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients,
    adapter: memoryAdapter(),
    jwks: { keys: [{ ...key, kid: 'shared-test-key', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [settings.secret] },
    scopes: ['openid', 'profile', 'groups'],
    claims: { openid: ['sub'], profile: ['name'], groups: ['groups'] },
    // The claims asked for go in the id_token itself (the pharmacy reads no userinfo endpoint).
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    async findAccount(ctx, sub) {
      const person = people[sub];
      return person && { accountId: sub, claims: async () => ({ sub, name: person.name, groups: person.groups }) };
    },
  });
  // What the pharmacy pushed (RFC 9126) goes to standard output, so a test can act on a sign-in the browser never shows.
  provider.on('pushed_authorization_request.success', (ctx) => {
    const { client_id, redirect_uri, response_type, response_mode, scope, state, nonce, code_challenge, code_challenge_method } = ctx.oidc.params;
    console.log(JSON.stringify({ pushed: { client_id, redirect_uri, response_type, response_mode, scope, state, nonce, code_challenge, code_challenge_method } }));
  });
  await new Promise((resolve, reject) => provider.listen(port, '127.0.0.1', resolve).on('error', reject));
  issuers.push(issuer);
}
console.log(JSON.stringify({ issuers }));
