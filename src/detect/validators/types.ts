/** A value validator: decides whether one candidate string has the shape and checksums of a kind of personal data. */
export type Validator = (candidate: string) => boolean;
