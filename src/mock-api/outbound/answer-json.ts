/** Reading a provider's answer as JSON, through util/json.ts like every other reader of untrusted JSON. */
import { parseJson } from '../../util/json.js';

/** The body as a JSON value, or undefined when it is not JSON or breaks off before its end. */
export async function answerJson(response: Response): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch {
    return undefined;
  }
  return parseJson(text);
}
