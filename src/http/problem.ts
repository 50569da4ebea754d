/**
 * Problem details (RFC 9457): every error the gateway answers is an `application/problem+json`
 * body with a stable `type` per kind of error, a Dutch `title`, a `detail`, the `status`, the trace
 * id, and for invalid input `invalidParams` with a JSON pointer and reason for EVERY error.
 */
import type { Response } from 'express';
import type { InvalidParam } from '../schemas/registry.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The kinds of problem, their status and Dutch title. The key is the last part of `type`. */
export const PROBLEMS = {
  'ongeldige-invoer': { status: 400, title: 'De invoer is ongeldig.' },
  'ongeldige-json': { status: 400, title: 'De body is geen geldige JSON.' },
  'ongeldige-parameter': { status: 400, title: 'Een queryparameter is ongeldig.' },
  'token-in-query': { status: 400, title: 'Toegangstokens horen niet in de URL.' },
  'niet-geauthenticeerd': { status: 401, title: 'Authenticatie is mislukt.' },
  'geen-toegang': { status: 403, title: 'U heeft geen toegang.' },
  'niet-gevonden': { status: 404, title: 'Niet gevonden.' },
  'methode-niet-toegestaan': { status: 405, title: 'Deze methode is hier niet toegestaan.' },
  conflict: { status: 409, title: 'Conflict met een eerder ontvangen bericht.' },
  'conflict-toestand': { status: 409, title: 'Dit kan niet in de huidige toestand van het traject.' },
  'ongeldige-statusovergang': { status: 409, title: 'Deze statusovergang van de plaatsing is niet toegestaan.' },
  verwijderd: { status: 410, title: 'De inhoud van dit bericht is verwijderd.' },
  'te-groot': { status: 413, title: 'De body is te groot.' },
  'verkeerd-mediatype': { status: 415, title: 'Alleen application/json wordt geaccepteerd.' },
  'te-veel-verzoeken': { status: 429, title: 'Te veel verzoeken; wacht even.' },
  'headers-te-groot': { status: 431, title: 'De headers van het verzoek zijn te groot.' },
  'interne-fout': { status: 500, title: 'Er ging iets mis in de gateway.' },
  'niet-beschikbaar': { status: 503, title: 'De gateway kan dit nu niet veilig verwerken.' },
  'logboek-bezet': { status: 503, title: 'Het logboek is nu te druk.' },
} as const;

export type ProblemKind = keyof typeof PROBLEMS;

export function problemType(kind: ProblemKind): string {
  return `urn:doelpoort:probleem:${kind}`;
}

export class HttpProblem extends Error {
  override name = 'HttpProblem';
  readonly status: number;
  constructor(
    readonly kind: ProblemKind,
    readonly detail: string,
    readonly extra: { invalidParams?: InvalidParam[]; headers?: Record<string, string>; regel?: string; verwijderd?: unknown } = {},
  ) {
    super(detail);
    this.status = PROBLEMS[kind].status;
  }
}

export function sendProblem(res: Response, problem: HttpProblem, traceId: string): void {
  if (res.headersSent) return;
  for (const [k, v] of Object.entries(problem.extra.headers ?? {})) res.setHeader(k, v);
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(
    JSON.stringify({
      type: problemType(problem.kind),
      title: PROBLEMS[problem.kind].title,
      status: problem.status,
      detail: problem.detail,
      instance: `urn:doelpoort:trace:${traceId}`,
      traceId,
      ...(problem.extra.invalidParams ? { invalidParams: problem.extra.invalidParams } : {}),
      // A removed message (410, docs/bewaring.md): when and why, as lists show it.
      ...(problem.extra.verwijderd ? { verwijderd: problem.extra.verwijderd } : {}),
    }),
  );
}
