/**
 * A well-behaved pair, after the load and the fuzzing: two fresh sockets join a fresh room, see
 * each other, and relay an offer and an answer. Resolves 'relayed both ways' or says what failed.
 */
import { WebSocket } from 'ws';

type Msg = { type: string; [k: string]: unknown };

function client(url: string): { ws: WebSocket; next: (type: string) => Promise<Msg> } {
  const ws = new WebSocket(url);
  const queue: Msg[] = [];
  let wake: (() => void) | null = null;
  ws.on('error', () => {});
  ws.on('message', (d) => {
    queue.push(JSON.parse(d.toString()) as Msg);
    wake?.();
  });
  ws.on('close', () => wake?.());
  const next = async (type: string): Promise<Msg> => {
    for (;;) {
      const i = queue.findIndex((m) => m.type === type || m.type === 'error');
      if (i >= 0) {
        const m = queue.splice(i, 1)[0]!;
        if (m.type === 'error') throw new Error(`the server refused: ${JSON.stringify(m)}`);
        return m;
      }
      if (ws.readyState === WebSocket.CLOSED) throw new Error(`the socket closed while waiting for ${type}`);
      await new Promise<void>((r) => (wake = r));
      wake = null;
    }
  };
  return { ws, next };
}

export async function checkPair(url: string): Promise<string> {
  const room = 'pairroom'.padEnd(52, 'z');
  const [a, b] = [client(url), client(url)];
  try {
    const guard = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the pair got no answer within 10 s')), 10_000).unref());
    const steps = (async () => {
      await Promise.all([a.next('hello'), b.next('hello')]);
      a.ws.send(JSON.stringify({ type: 'join', room, peer: 'pairaaaa'.padEnd(26, 'a') }));
      await a.next('joined');
      b.ws.send(JSON.stringify({ type: 'join', room, peer: 'pairbbbb'.padEnd(26, 'b') }));
      const joined = await b.next('joined');
      if (!(joined.peers as string[]).includes('pairaaaa'.padEnd(26, 'a'))) throw new Error('b did not see a in the room');
      await a.next('peer-joined');
      a.ws.send(JSON.stringify({ type: 'signal', room, to: 'pairbbbb'.padEnd(26, 'b'), data: { sid: 'pairsidq', type: 'offer', sdp: 'v=0\r\n' } }));
      const offer = await b.next('signal');
      if (offer.from !== 'pairaaaa'.padEnd(26, 'a')) throw new Error('the offer came from the wrong peer');
      b.ws.send(JSON.stringify({ type: 'signal', room, to: 'pairaaaa'.padEnd(26, 'a'), data: { sid: 'pairsidq', type: 'answer', sdp: 'v=0\r\n' } }));
      await a.next('signal');
      return 'relayed both ways';
    })();
    return await Promise.race([steps, guard]);
  } catch (err) {
    return `failed: ${(err as Error).message}`;
  } finally {
    a.ws.close();
    b.ws.close();
  }
}
