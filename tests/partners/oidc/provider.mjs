// A loopback OpenID provider for the ProConnect tests, built on the `oidc-provider` package.
// Usage: node provider.mjs <config.json>; prints "READY <port>" once listening on 127.0.0.1.
// Config: {"module": ".../oidc-provider/lib/index.js", "client": {client_id, client_secret,
// redirect_uris, post_logout_redirect_uris}, "accounts": {"<login>": {email, siret, ...}}}.
// Like ProConnect: code flow with PKCE (S256) required, client_secret_post, userinfo as a
// signed JWT, acr "eidas1" and amr recorded at sign-in, RP-initiated logout, no consent page.
import fs from 'node:fs';
import http from 'node:http';
import { pathToFileURL } from 'node:url';

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const { default: Provider } = await import(pathToFileURL(config.module).href);

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function readForm(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; if (data.length > 1e5) req.destroy(); });
    req.on('end', () => resolve(Object.fromEntries(new URLSearchParams(data))));
    req.on('error', reject);
  });
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [{
      ...config.client,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
      id_token_signed_response_alg: 'RS256',
      userinfo_signed_response_alg: 'RS256',
    }],
    pkce: { required: () => true, methods: ['S256'] },
    scopes: ['openid', 'email', 'given_name', 'usual_name', 'siret'],
    claims: {
      openid: ['sub', 'acr', 'amr', 'auth_time'], email: ['email'], given_name: ['given_name'],
      usual_name: ['usual_name'], siret: ['siret'],
    },
    acrValues: ['eidas1'],
    features: {
      devInteractions: { enabled: false },
      jwtUserinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // the end-session confirmation, submitted at once (ProConnect asks nothing either)
        async logoutSource(ctx, form) {
          ctx.body = `<!doctype html><html lang="en"><head><title>Signing out</title></head>
<body><main>${form}<button form="op.logoutForm" type="submit" name="logout" value="yes">Sign out</button>
<script>document.querySelector('button[name=logout]').click();</script></main></body></html>`;
        },
      },
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['loopback-test-only'] },
    ttl: { AuthorizationCode: 60, IdToken: 3600, AccessToken: 3600, Interaction: 600,
           Session: 3600, Grant: 3600 },
    async findAccount(ctx, id) {
      const account = config.accounts[id];
      if (!account) return undefined;
      return { accountId: id, async claims() { return { sub: id, ...account }; } };
    },
    async loadExistingGrant(ctx) {  // no consent screen (ProConnect asks none)
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email given_name usual_name siret');
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();
  server.on('request', async (req, res) => {
    const match = req.url.match(/^\/interaction\/([\w-]+)(\/login)?$/);
    if (!match) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (match[2] && req.method === 'POST') {
        const form = await readForm(req);
        if (!config.accounts[form.login]) {
          res.writeHead(400, { 'Content-Type': 'text/html; charset=utf-8' });
          return res.end('<!doctype html><html lang="en"><title>Unknown</title><main><p>Unknown account</p></main></html>');
        }
        return provider.interactionFinished(req, res, {
          login: { accountId: form.login, acr: 'eidas1', amr: ['pwd', 'mfa'] },
        }, { mergeWithLastSubmission: false });
      }
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="en"><head><title>ProConnect (test)</title></head>
<body><main><h1>ProConnect (loopback test provider)</h1>
<form method="post" action="/interaction/${escape(details.uid)}/login">
<label for="login">E-mail</label> <input id="login" name="login" type="text" required>
<label for="password">Password</label> <input id="password" name="password" type="password" required>
<button type="submit">Continue</button></form></main></body></html>`);
    } catch (error) {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end(String(error && error.message));
    }
  });
  console.log(`READY ${port}`);
});
process.on('SIGTERM', () => { server.close(); process.exit(0); });
