import { createSocket } from 'node:dgram';
import http from 'node:http';
import { findFreePort, listenOnLoopback, listenOnLoopbackUdp, portInUse } from '../../stand-ins/loopback-server';

describe('the loopback-server helper', () => {
  it('listens on 127.0.0.1 and a free port, and close() ends connections still open, answered or not', async () => {
    let holding: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      holding = resolve;
    });
    const server = await listenOnLoopback(
      http.createServer((req, res) => {
        if (req.url === '/answer') res.end('ok');
        else holding(); // held open, never answered
      }),
    );
    const agent = new http.Agent({ keepAlive: true });
    const answered = await new Promise<string>((resolve, reject) => {
      http
        .get(`${server.endpoint}/answer`, { agent }, (res) => {
          res.setEncoding('utf8');
          let text = '';
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    const failed = new Promise<string>((resolve) => {
      http
        .get(`${server.endpoint}/hold`, { agent: false })
        .on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    await held;
    await server.close(); // without the helper's socket tracking, this waits for the held request forever

    expect(server.endpoint).toBe(`http://127.0.0.1:${server.port}`);
    expect(answered).toBe('ok');
    expect(await failed).toBe('ECONNRESET');
    agent.destroy();
    expect(await portInUse(server.port)).toBeUndefined();
  });

  it('listens on a named port and rejects with Node’s error when it is taken', async () => {
    const port = await findFreePort();
    const first = await listenOnLoopback(http.createServer(), { port });
    try {
      expect(first.port).toBe(port);
      await expect(listenOnLoopback(http.createServer(), { port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await first.close();
    }
  });

  it('receives UDP datagrams on 127.0.0.1', async () => {
    const received: string[] = [];
    let arrived: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const listener = await listenOnLoopbackUdp((message) => {
      received.push(message.toString('utf8'));
      arrived();
    });
    const sender = createSocket('udp4');
    sender.send('segment', listener.port, '127.0.0.1');
    await done;
    sender.close();
    await listener.close();

    expect(listener.address).toBe(`127.0.0.1:${listener.port}`);
    expect(received).toEqual(['segment']);
  });
});
