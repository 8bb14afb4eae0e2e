// A stand-in browser command for BROWSER tests: loads every URL argument once.
for (const url of process.argv.slice(2)) if (url.startsWith('http')) await fetch(url).catch(() => undefined);
