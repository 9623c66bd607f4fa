/**
 * The sandbox demo's oidc section (`npm start` with no feishu-hub.yaml): one first-party public
 * client, the demo app at /oidc/demo (a tiny relying party written with openid-client), which logs
 * in through the hub's provider, hence through Feishu (the emulator's authorize page).
 */
export const oidcSandboxConfig = {
  clients: [
    {
      client_id: 'demo-app',
      client_name: 'Demo internal app',
      public: true,
      redirect_uris: ['/oidc/demo/callback'],
      post_logout_redirect_uris: ['/oidc/demo'],
    },
  ],
  demo: true,
};
