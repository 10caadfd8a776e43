/**
 * Release distribution: the release folder layout shared with build.ts and install.sh/.ps1, checksums,
 * and the self-update (`openclaw update`) with its atomic swap and rollback.
 */
export { DEFAULT_RELEASE_BASE, MUSL_TARGETS, RELEASE_TARGETS, assetFor, assetForBunTarget, compareVersions, formatSha256Sums, isVersion, parseSha256Sums, resolveReleaseBase, versionDir } from "./layout.ts";
export type { ReleaseTarget } from "./layout.ts";
export { archiveName, extractTarFile, memberName, tarOneFile, UPDATE_FORMATS, zipOneFile } from "./archive.ts";
export type { ArchiveFormat } from "./archive.ts";
export { downloadFile, fetchText, sha256File } from "./download.ts";
export { probeGateway, probeVersion, waitForGateway } from "./probe.ts";
export type { GatewayState, VersionProbe } from "./probe.ts";
export { previousPath, rollBack, stagingPath, swapInto } from "./swap.ts";
export { checkForUpdate, restartService, runUpdate } from "./update.ts";
export type { RestartOutcome, UpdateCheck, UpdateOptions, UpdateResult } from "./update.ts";
