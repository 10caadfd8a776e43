/** Response shapes shared by the HTTP APIs (http.md §2): OpenAI-style errors, 405, 413, 429. */

/** An OpenAI-style error: `{error:{message, type}}`. */
export function openAiError(status: number, message: string, type: string, headers?: Record<string, string>): Response {
  return Response.json({ error: { message, type } }, { status, headers });
}

/** 405 `text/plain` "Method Not Allowed" with `Allow: POST`. */
export function methodNotAllowed(): Response {
  return new Response("Method Not Allowed", { status: 405, headers: { allow: "POST", "content-type": "text/plain; charset=utf-8" } });
}

/** 413 in the OpenAI error shape ("payload too large"). */
export function payloadTooLarge(): Response {
  return openAiError(413, "payload too large", "invalid_request_error");
}

/** `Retry-After` in whole seconds (at least 1) for a wait in ms. */
export function retryAfterSeconds(waitMs: number): string {
  return String(Math.max(1, Math.ceil(waitMs / 1000)));
}
