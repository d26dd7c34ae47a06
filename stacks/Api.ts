import { Api as HttpApi, type StackContext } from "sst/constructs";

/**
 * The HTTP API: API Gateway (HTTP API, payload v2) → one Lambda running the Hono app.
 * The function needs DATABASE_URL and JWT_SECRET (it refuses to start without them);
 * the data and secrets stacks of issue 5 provide them.
 */
export function Api({ stack }: StackContext) {
  const api = new HttpApi(stack, "api", {
    defaults: {
      function: {
        timeout: 10,
        memorySize: 512,
        environment: {
          NODE_ENV: "production",
          LOG_LEVEL: "info",
        },
      },
    },
    routes: {
      $default: "functions/api.handler",
    },
  });
  stack.addOutputs({ ApiUrl: api.url });
  return { api };
}
