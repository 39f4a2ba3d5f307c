// A mini-program's view of the API, typed only by the generated `schema.d.ts`: log in (dev
// login), page through grids, create one and handle its failure by code. `tsc --strict`
// over this file is the check: a spec regression (a renamed field, a code dropped from an
// enum, a null where a string was promised) becomes a compile error.

import type { components, operations } from "./schema";

type Schemas = components["schemas"];
type Json = "application/json; charset=utf-8";

/** The body of each status an operation answers. */
type BodyOf<Op extends keyof operations, S> = S extends keyof operations[Op]["responses"]
  ? operations[Op]["responses"][S] extends { content: { [K in Json]: infer B } }
    ? B
    : never
  : never;

/** Every error body an operation declares, across its statuses. */
type ErrorOf<Op extends keyof operations> = {
  [S in keyof operations[Op]["responses"]]: S extends 200 | 201 | 204 ? never : BodyOf<Op, S>;
}[keyof operations[Op]["responses"]];

type Outcome<Op extends keyof operations, S extends number> =
  | { ok: true; status: S; body: BodyOf<Op, S> }
  | { ok: false; status: number; error: ErrorOf<Op> };

const BASE = "http://127.0.0.1:8080/api/v1";

async function call<Op extends keyof operations, S extends number>(
  method: "GET" | "POST",
  path: string,
  token: string | null,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Outcome<Op, S>> {
  const response = await fetch(`${BASE}${path}`, {
    method,
    headers: {
      "content-type": "application/json",
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json: unknown = response.status === 204 ? null : await response.json();
  return response.ok
    ? { ok: true, status: response.status as S, body: json as BodyOf<Op, S> }
    : { ok: false, status: response.status, error: json as ErrorOf<Op> };
}

async function devLogin(openid: string): Promise<Schemas["SessionTokens"]> {
  const request: Schemas["DevLoginRequest"] = { openid };
  const answer = await call<"auth_dev_login", 200>("POST", "/auth/dev/login", null, request);
  if (!answer.ok) {
    throw new Error(`login refused: ${answer.error.code}`);
  }
  return answer.body;
}

/** Every grid in the caller's scope, page by page. */
async function allGrids(token: string): Promise<Schemas["Grid"][]> {
  const grids: Schemas["Grid"][] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? "?limit=100" : `?limit=100&cursor=${cursor}`;
    const page: Outcome<"grids_list", 200> = await call<"grids_list", 200>("GET", `/grids${query}`, token);
    if (!page.ok) {
      throw new Error(`listing failed: ${page.error.code}`);
    }
    grids.push(...page.body.items);
    cursor = page.body.next_cursor ?? null;
  } while (cursor !== null);
  return grids;
}

/** What a person is told when creating a grid fails; the compiler checks every case. */
function explain(error: ErrorOf<"grids_create">): string {
  switch (error.code) {
    case "name_taken":
      return "该社区已有同名网格";
    case "community_not_found":
      return "社区不存在";
    case "forbidden":
      return "无权在此社区创建网格";
    case "validation_failed":
    case "malformed_request":
      return `输入有误：${error.message}`;
    case "unauthorized":
    case "invalid_token":
    case "token_expired":
    case "session_revoked":
      return "请重新登录";
    case "request_timeout":
      return "网络较慢，请重试";
    case "payload_too_large":
    case "method_override_not_allowed":
    case "idempotency_key_in_use":
    case "idempotency_key_reused":
    case "internal_error":
      return `请稍后再试（${error.request_id}）`;
    default: {
      const unhandled: never = error;
      return unhandled;
    }
  }
}

async function main(): Promise<void> {
  const session = await devLogin("demo-c01-staff-1");
  const nickname: string | null = session.user.nickname ?? null;
  console.log(`logged in as ${nickname ?? session.user.id}`);
  const grids = await allGrids(session.access_token);
  console.log(`${grids.length} grids`);
  const first = grids[0];
  if (first === undefined) {
    return;
  }
  const created: Date = new Date(first.created_at);
  console.log(`first grid ${first.name}, created ${created.toISOString()}`);
  const body: Schemas["NewGrid"] = {
    community_id: first.community_id,
    name: first.name,
    kind: "residential",
    households: 400,
  };
  const answer = await call<"grids_create", 201>("POST", "/grids", session.access_token, body, {
    "Idempotency-Key": crypto.randomUUID(),
  });
  console.log(answer.ok ? `created ${answer.body.id}` : explain(answer.error));
  // wx.request cannot send PATCH: the same call as a POST with the override header.
  const patch: Schemas["GridPatch"] = { households: 420 };
  const renamed = await call<"grids_update", 200>("POST", `/grids/${first.id}`, session.access_token, patch, {
    "X-HTTP-Method-Override": "PATCH",
  });
  console.log(renamed.ok ? `now ${renamed.body.households} households` : renamed.error.code);
}

void main();
