/** Types of `qrcode-terminal` (the package ships none). */
declare module "qrcode-terminal" {
  const qrcode: { generate(input: string, opts: { small?: boolean }, cb: (output: string) => void): void };
  export default qrcode;
}
