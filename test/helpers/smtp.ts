import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer, type SMTPServerEnvelope } from "smtp-server";

/** A received message: parsed with mailparser, with the SMTP envelope (the real recipients). */
export interface ReceivedMail {
  mail: ParsedMail;
  envelope: SMTPServerEnvelope;
  user: string | undefined;
}

export interface TestSmtp {
  /** `smtp://user:pass@127.0.0.1:port/?ignoreTLS=true`: plain SMTP with AUTH, for exports.email.smtp_url. */
  url: string;
  port: number;
  received: ReceivedMail[];
  /** Login attempts refused. */
  refused: number;
  close(): Promise<void>;
}

/**
 * A local SMTP server (smtp-server) that requires AUTH and keeps every message it accepts.
 * `onMessage` runs before a message is acknowledged, so the sender is still waiting for it.
 */
export async function startSmtp(
  credentials = { user: "mailer", pass: "smtp-Pa55word" },
  onMessage?: (message: ReceivedMail) => void | Promise<void>,
): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  let refused = 0;
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === credentials.user && auth.password === credentials.pass) {
        callback(null, { user: auth.username });
      } else {
        refused++;
        callback(new Error("Invalid username or password"));
      }
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then(async (mail) => {
          const message = { mail, envelope: session.envelope, user: session.user as string | undefined };
          received.push(message);
          await onMessage?.(message);
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://${credentials.user}:${credentials.pass}@127.0.0.1:${port}/?ignoreTLS=true`,
    port,
    received,
    get refused() {
      return refused;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
