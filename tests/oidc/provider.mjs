// A real OpenID Provider (the certified `oidc-provider`) for the single sign-on browser test,
// tests/e2e/test_sso.py, and for `make loadtest LOGIN=sso` (bench/logins.py). Test use only:
// its sign-in form takes any password.
//
// Environment: OIDC_PORT, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI,
// OIDC_POST_LOGOUT_REDIRECT_URI, OIDC_ACCOUNTS (JSON: {login: {email, email_verified}}) or
// OIDC_ACCOUNTS_FILE (a file of that JSON: the load test's logins may be too many for one
// environment variable). Prints "listening <issuer>" once it answers.
import { readFileSync } from "node:fs";

import Provider from "oidc-provider";

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(
  process.env.OIDC_ACCOUNTS_FILE
    ? readFileSync(process.env.OIDC_ACCOUNTS_FILE, "utf8")
    : process.env.OIDC_ACCOUNTS,
);

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.OIDC_CLIENT_ID,
      client_secret: process.env.OIDC_CLIENT_SECRET,
      redirect_uris: [process.env.OIDC_REDIRECT_URI],
      post_logout_redirect_uris: [process.env.OIDC_POST_LOGOUT_REDIRECT_URI],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
    },
  ],
  claims: { openid: ["sub"], email: ["email", "email_verified"] },
  async findAccount(_ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...account }) };
  },
  cookies: { keys: ["test-only-cookie-key"] },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
});
// Quiet: the test reads stdout for the line below only.
provider.on("server_error", (_ctx, error) => console.error(error));

provider.listen(port, "127.0.0.1", () => console.log(`listening ${issuer}`));
