// Package credentials holds the rules that recognise credentials, shared
// by the checker (grammar/check), the lowering (internal/lower) and the
// frontend:
//
//   - the catalog of well-known credential files (.netrc, id_rsa, .npmrc,
//     .aws/credentials, …): File and Source say whether a path or a copy
//     source names one, and ContextExcludes are the patterns that keep
//     them out of the main build context;
//   - the shapes of secret values: Tokens finds known credential formats
//     (ghp_…, AKIA…, a PRIVATE KEY block, …), RandomLooking and
//     IsCredentialName find generated values under credential names, and
//     Shape says what credential a frontend option or build arg holds.
//
// It reports nothing itself: the checker turns matches into diagnostics,
// the lowering into excludes, the frontend into refusals.
package credentials
