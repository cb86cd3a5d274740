/**
 * Lambda entry point. First version: logs the event it receives. The thumbnailer replaces it.
 */
export async function handler(event: unknown): Promise<void> {
  console.log(JSON.stringify({ message: "received event", event }));
}
