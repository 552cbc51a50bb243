import { UsageError } from "@glance/core";
import type { CliCommand } from "../command-table.js";
import { planRequest } from "../prepare-request.js";
import { costJson, costLine, estimateJson, renderEstimate } from "../render-output.js";

/** `glance estimate`: what each file costs in tokens, and the whole request; nothing is sent. */
export const estimateCommand: CliCommand = {
  synopsis: "estimate <files...>",
  summary: "Tokens each image or video costs, and the total.",
  run: async (options, streams) => {
    if (options.arguments.length === 0) {
      throw new UsageError("estimate needs at least one file: glance estimate screenshot.png demo.mp4");
    }
    // A --prompt counts too: the estimate is of the request that ask would send. Only headers are read.
    const planned = await planRequest(options, options.arguments, options.prompt ?? "");
    const { request, prices } = planned;
    if (options.json) {
      streams.stdout(`${JSON.stringify({ ...estimateJson(planned), ...costJson(request, prices) }, null, 2)}\n`);
      return;
    }
    const cost = costLine(request, prices);
    streams.stdout(
      `${renderEstimate(request, planned.media, planned.files)}\n${cost === undefined ? "" : `${cost}\n`}`,
    );
  },
};
