import {
  buildChatRequest,
  describePrompt,
  fieldsPrompt,
  ocrPrompt,
  type PreparedMedia,
  prepareImage,
} from "@glance/core";
import { z } from "zod";
import type { BotServices } from "../bot-services.js";
import { downloadImageLink } from "../downloads.js";
import type { RequestBudget } from "../guardrails/token-budget.js";
import { prepareSlackFile } from "../prepare-slack-media.js";
import type { OcrSource } from "./ocr-source.js";

/** What the model is asked about the image. */
export type OcrQuestion = { kind: "text" } | { kind: "describe" } | { kind: "fields"; fields: readonly string[] };

/**
 * Downloads and prepares the image, then asks the model within the request's budget. The result is the
 * text to reply with (fields come back as a JSON code block) and a label naming the image.
 */
export async function readImageText(
  services: BotServices,
  budget: RequestBudget,
  source: OcrSource,
  question: OcrQuestion,
): Promise<{ text: string; label: string }> {
  const media: PreparedMedia =
    source.kind === "slack"
      ? await prepareSlackFile(services, source.file, { allowLongVideo: false })
      : await prepareImage(
          await downloadImageLink(source.url, {
            metrics: services.metrics,
            maxBytes: services.config.maxFileBytes,
            allowedOrigins: services.urlOrigins,
          }),
          { model: services.config.model, name: source.url.split("/").pop() || "image" },
        );
  const label = source.kind === "slack" ? (source.file.name ?? source.file.id) : source.url;
  if (question.kind === "fields") {
    const schema = z.object(Object.fromEntries(question.fields.map((field) => [field, z.string().nullable()])));
    const request = await buildChatRequest({
      model: services.config.model,
      prompt: fieldsPrompt(question.fields),
      inputs: [media],
      structuredOutput: { schema, name: "fields" },
    });
    const estimatedTokens = request.estimate.totalTokens;
    const structured = await budget.call(estimatedTokens, () => services.glance.completeStructured(request, schema), {
      tokensUsed: (result) => result.completion.usage?.totalTokens ?? estimatedTokens,
    });
    return { text: `\`\`\`\n${JSON.stringify(structured.value, null, 2)}\n\`\`\``, label };
  }
  const request = await buildChatRequest({
    model: services.config.model,
    prompt: question.kind === "describe" ? describePrompt : ocrPrompt,
    inputs: [media],
  });
  const estimatedTokens = request.estimate.totalTokens;
  const completion = await budget.call(estimatedTokens, () => services.glance.complete(request), {
    tokensUsed: (result) => result.usage?.totalTokens ?? estimatedTokens,
  });
  return { text: completion.answer.trim(), label };
}
