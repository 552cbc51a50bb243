/*
 * Model Studio endpoints for the OpenAI-compatible API. Each region has its own endpoint and its own
 * API keys. Only endpoints the vendor reference spells out are listed; for any other region pass
 * `baseUrl` explicitly.
 */

/** The international endpoint (Singapore), the one the reference's examples use. */
export const defaultBaseUrl = "https://dashscope-intl.aliyuncs.com/compatible-mode/v1";

export const regionBaseUrls: Readonly<Record<string, string>> = {
  singapore: defaultBaseUrl,
};
