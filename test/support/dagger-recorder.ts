// A GraphQL endpoint on 127.0.0.1 that stands where a Dagger engine session would: the SDK's own
// transport (graphql-request over HTTP, selected by DAGGER_SESSION_PORT/TOKEN) sends it every query
// a module function makes, and it records them. It answers only what the SDK needs to go on:
// `id` (a readable id naming the selection it stands for), `contents` (from fixtures) and leaves
// such as `stdout`. It builds nothing: it is the recording half of an engine, not a fake one.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type FieldNode, Kind, parse, print } from "graphql";
import { connection } from "@dagger.io/dagger";

/** One request: the chain of selections, each printed as name(arg: value, ...). */
export type Chain = string[];

export interface Recorder {
  requests: Chain[];
  /** Runs fn with the SDK's global client (`dag`) connected to this endpoint. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const TOKEN = "recorder-session-token";

function chainOf(query: string): FieldNode[] {
  const doc = parse(query);
  const def = doc.definitions[0];
  if (!def || def.kind !== Kind.OPERATION_DEFINITION) throw new Error(`not an operation: ${query}`);
  const fields: FieldNode[] = [];
  let sel = def.selectionSet;
  for (;;) {
    if (sel.selections.length !== 1) throw new Error(`the SDK sends one selection per level, got ${sel.selections.length}: ${query}`);
    const f = sel.selections[0];
    if (!f || f.kind !== Kind.FIELD) throw new Error(`unexpected selection in ${query}`);
    fields.push(f);
    if (!f.selectionSet) return fields;
    sel = f.selectionSet;
  }
}

export const printField = (f: FieldNode): string =>
  f.arguments?.length ? `${f.name.value}(${f.arguments.map((a) => `${a.name.value}: ${print(a.value)}`).join(", ")})` : f.name.value;

/** The id the recorder hands out for a selection chain: the chain itself, so queries stay readable. */
export const idFor = (chain: Chain): string => `ID{${chain.join(".").replaceAll('"', "'")}}`;

export async function startRecorder(answers: { contents?: (chain: Chain) => string } = {}): Promise<Recorder> {
  const requests: Chain[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(payload));
      };
      if (req.headers.authorization !== `Basic ${Buffer.from(`${TOKEN}:`).toString("base64")}`) return reply(401, { errors: [{ message: "bad session token" }] });
      try {
        const { query } = JSON.parse(body) as { query: string };
        const fields = chainOf(query);
        const chain = fields.map(printField);
        requests.push(chain);
        const leaf = fields[fields.length - 1]!.name.value;
        let value: unknown;
        if (leaf === "id" || leaf === "sync") value = idFor(chain.slice(0, -1));
        else if (leaf === "contents") value = answers.contents?.(chain) ?? "";
        else if (leaf === "stdout") value = `stdout of ${chain.length} selections`;
        else if (leaf === "export") value = "/exported";
        else value = null;
        const data = fields.reduceRight<unknown>((inner, f) => ({ [f.name.value]: inner }), value);
        reply(200, { data });
      } catch (e) {
        reply(200, { errors: [{ message: (e as Error).message }] });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    requests,
    async run(fn) {
      const saved = { port: process.env["DAGGER_SESSION_PORT"], token: process.env["DAGGER_SESSION_TOKEN"] };
      process.env["DAGGER_SESSION_PORT"] = String(port);
      process.env["DAGGER_SESSION_TOKEN"] = TOKEN;
      try {
        let out: unknown;
        await connection(async () => {
          out = await fn();
        });
        return out as Awaited<ReturnType<typeof fn>>;
      } finally {
        for (const [k, v] of [["DAGGER_SESSION_PORT", saved.port], ["DAGGER_SESSION_TOKEN", saved.token]] as const) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      }
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
