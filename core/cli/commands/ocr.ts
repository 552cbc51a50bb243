import { ocrPrompt, UsageError } from "@glance/core";
import type { CliCommand } from "../command-table.js";
import { prepareRequest } from "../prepare-request.js";
import { printAnswer, printCost, sendRequest, showPlanInstead } from "../send-request.js";

/** `glance ocr`: the text of one image, as the model reads it. */
export const ocrCommand: CliCommand = {
  synopsis: "ocr <file>",
  summary: "Read the text in an image.",
  run: async (options, streams) => {
    if (options.arguments.length !== 1) {
      throw new UsageError(`ocr reads exactly one image, not ${options.arguments.length}: glance ocr receipt.jpg`);
    }
    if (await showPlanInstead(options, options.arguments, ocrPrompt, streams)) return;
    const prepared = await prepareRequest(options, options.arguments, ocrPrompt);
    const completion = await sendRequest(options, prepared, streams, { streamAnswer: true });
    printAnswer(options, prepared, completion, streams);
    printCost(options, prepared, completion, streams);
  },
};
