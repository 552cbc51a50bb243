import { ConfigurationError } from "../errors.js";

/*
 * Model Studio endpoints for the OpenAI-compatible API, by region. Each region has its own endpoint
 * and its own API keys: a key works only on the endpoints of the region that issued it.
 *
 * All four are the shared DashScope domains of the vendor's base-URL page,
 * https://www.alibabacloud.com/help/en/model-studio/base-url (Last Updated Jun 30, 2026; the
 * /help/model-studio/base-url copy is dated Oct 11, 2026, the ja copy Jul 02, 2026).
 * - The "OpenAI compatible - Chat" page spells Hong Kong without "dashscope."
 *   (https://www.alibabacloud.com/help/en/model-studio/developer-reference/compatibility-of-openai-with-dashscope,
 *   Mar 18, 2026): a typo, the base-URL page's value is used.
 * - The fr base-URL page (Oct 11, 2026) gives a workspace host as the US DashScope domain; the en, es,
 *   ja and pt pages agree on dashscope-us, which is used.
 * - Frankfurt and Tokyo have workspace-dedicated domains only
 *   (`https://{WorkspaceId}.<region>.maas.aliyuncs.com/compatible-mode/v1`), which need the workspace id:
 *   pass those, and any workspace domain, as an explicit base URL.
 */
export const regionBaseUrls = {
  /** Singapore, the international endpoint the reference's examples use. */
  intl: "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
  /** US (Virginia). */
  us: "https://dashscope-us.aliyuncs.com/compatible-mode/v1",
  /** China (Beijing). */
  cn: "https://dashscope.aliyuncs.com/compatible-mode/v1",
  /** China (Hong Kong). */
  hk: "https://cn-hongkong.dashscope.aliyuncs.com/compatible-mode/v1",
} as const;

export type RegionName = keyof typeof regionBaseUrls;

export const regionNames = Object.keys(regionBaseUrls) as RegionName[];

export const defaultRegion: RegionName = "intl";

/** The international endpoint (Singapore): the endpoint when neither a region nor a base URL is given. */
export const defaultBaseUrl: string = regionBaseUrls[defaultRegion];

export function isRegionName(value: string): value is RegionName {
  return Object.hasOwn(regionBaseUrls, value);
}

/**
 * The endpoint to use: an explicit base URL wins, else the region's endpoint, else the international
 * one. A region is checked even when a base URL is given, so a typo never passes silently.
 */
export function resolveBaseUrl(options: { region?: string | undefined; baseUrl?: string | undefined }): string {
  const explicit = options.baseUrl?.trim() === "" ? undefined : options.baseUrl;
  const region = options.region?.trim().toLowerCase() ?? "";
  if (region === "") {
    return explicit ?? defaultBaseUrl;
  }
  if (!isRegionName(region)) {
    const known = regionNames.map((name) => `${name} (${regionBaseUrls[name]})`).join(", ");
    throw new ConfigurationError(
      "region",
      `Unknown Model Studio region "${options.region}". Known regions: ${known}. ` +
        "For another region or a workspace domain, set the base URL instead.",
    );
  }
  return explicit ?? regionBaseUrls[region];
}
