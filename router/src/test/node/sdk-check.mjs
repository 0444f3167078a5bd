// Drives a running Detour with the official openai SDK and prints what the SDK saw, as one JSON
// line, for SdkCompatibilityIT to judge. Usage: node sdk-check.mjs <base-url> <scenario> [model]
import OpenAI from "openai";

const [baseURL, scenario, model = "default"] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: "unused-by-detour", maxRetries: 0, timeout: 20_000 });
const messages = [{ role: "user", content: "Say hello." }];
const tools = [{
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
}];

async function complete() {
  const answer = await client.chat.completions.create({ model, messages });
  return { content: answer.choices[0].message.content, finish: answer.choices[0].finish_reason,
    usage: answer.usage, detour: answer.detour ?? null };
}

async function stream(withTools) {
  const chunks = await client.chat.completions.create({
    model, messages, stream: true, stream_options: { include_usage: true }, ...(withTools ? { tools } : {}),
  });
  let content = "", finish = null, usage = null, detour = null, count = 0;
  const calls = [];
  for await (const chunk of chunks) {
    count++;
    if (chunk.usage) usage = chunk.usage;
    if (chunk.detour) detour = chunk.detour;
    const choice = chunk.choices[0];
    if (!choice) continue;
    content += choice.delta?.content ?? "";
    for (const call of choice.delta?.tool_calls ?? []) {
      calls[call.index] ??= { id: "", name: "", arguments: "" };
      if (call.id) calls[call.index].id = call.id;
      if (call.function?.name) calls[call.index].name += call.function.name;
      if (call.function?.arguments) calls[call.index].arguments += call.function.arguments;
    }
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  return { content, finish, usage, detour, chunks: count, toolCalls: calls };
}

async function failing(run) {
  try {
    const result = await run();
    return { raised: false, result };
  } catch (error) {
    return { raised: true, name: error.constructor.name, status: error.status ?? null, code: error.code ?? null,
      message: String(error.message) };
  }
}

const scenarios = {
  complete,
  stream: () => stream(false),
  "stream-tools": () => stream(true),
  "unknown-model": () => failing(() => client.chat.completions.create({ model: "no-such-model", messages })),
  "stream-broken": () => failing(() => stream(false)),
};

try {
  console.log(JSON.stringify(await scenarios[scenario]()));
} catch (error) {
  console.log(JSON.stringify({ unexpected: String(error), name: error.constructor.name }));
  process.exitCode = 1;
}
