import { UsageError } from "@glance/core";
import type { CliCommand } from "../command-table.js";
import { prepareRequest } from "../prepare-request.js";
import { printAnswer, printCost, sendRequest, showPlanInstead } from "../send-request.js";

/** `glance ask`: a question about one or more images and videos, answered as it streams. */
export const askCommand: CliCommand = {
  synopsis: 'ask <files...> --prompt "..."',
  summary: "Ask the model about images and videos (streams the answer).",
  run: async (options, streams) => {
    const files = options.arguments;
    const question = options.prompt;
    if (files.length === 0 || question === undefined || question.trim() === "") {
      const example = files.length === 0 ? "screenshot.png" : files.join(" ");
      throw new UsageError(
        `ask needs ${files.length === 0 ? "at least one file and " : ""}a question: glance ask ${example} --prompt "What is wrong with this layout?"`,
      );
    }
    if (await showPlanInstead(options, files, question, streams)) return;
    const prepared = await prepareRequest(options, files, question);
    const completion = await sendRequest(options, prepared, streams, { streamAnswer: true });
    printAnswer(options, prepared, completion, streams);
    printCost(options, prepared, completion, streams);
  },
};
