import { GroundedError } from '../../core/errors';

/**
 * A web page answered with 200 where an API's reply was expected: a sign-in page, a proxy's or a web app's at a wrong
 * base URL. Final (`bad-input`): the same page comes again. A service may say it in its own words, naming the setting
 * that holds the address.
 */
export class WebPageReplyError extends GroundedError {
  constructor(
    readonly origin: string,
    message = `${origin} answered with a web page, not the API.`,
    setting?: string,
  ) {
    super('bad-input', message, { setting, final: true });
    this.name = 'WebPageReplyError';
  }
}
