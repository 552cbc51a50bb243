/*
 * The real fetch, except that the model's streamed answers (text/event-stream) arrive one event at a
 * time, `gapMilliseconds` apart, as a service generating tokens sends them. The fake Model Studio writes
 * a whole stream at once; paced, the bot has streamed part of an answer to Slack before the stream's
 * end (or an error event in it) arrives.
 */
export function pacedModelFetch(modelBaseUrl: string, gapMilliseconds: number): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await globalThis.fetch(input, init);
    const url = input instanceof Request ? input.url : String(input);
    const streamed = (response.headers.get("content-type") ?? "").startsWith("text/event-stream");
    if (!url.startsWith(modelBaseUrl) || !streamed || response.body === null) return response;
    const whole = await response.text();
    const events = whole.split(/(?<=\n\n)/);
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = events.shift();
        if (next === undefined) {
          controller.close();
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, gapMilliseconds));
        controller.enqueue(new TextEncoder().encode(next));
      },
    });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
