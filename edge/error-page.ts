// What visitors see when the origin is down and nothing stored can stand in.
const ORIGIN_DOWN_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Back soon</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem;color:#282c37}h1{font-size:1.5rem}</style>
</head>
<body>
<h1>This server is taking a short break</h1>
<p>The site could not be reached just now. Nothing is lost: please try again in a minute.</p>
</body>
</html>
`;

const RETRY_AFTER_SECONDS = 30;

export function originDownResponse(): Response {
  return new Response(ORIGIN_DOWN_HTML, {
    status: 503,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'retry-after': String(RETRY_AFTER_SECONDS),
    },
  });
}

const REFUSAL_TEXT: Record<number, string> = {
  400: 'Bad request.',
  405: 'Method not allowed on this domain.',
  421: 'This edge does not serve that host.',
};

export function refusalResponse(status: number): Response {
  return new Response(`${REFUSAL_TEXT[status] ?? 'Refused.'}\n`, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  });
}
