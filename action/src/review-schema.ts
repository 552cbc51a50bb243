/* The answer each review request must have: core's structured output checks it against this schema. */
import { z } from "zod";

export const findingSchema = z.object({
  severity: z.enum(["low", "medium", "high"]),
  title: z.string(),
  detail: z.string(),
  /** [x1, y1, x2, y2] in the model's own coordinates of the image named by `image`. */
  box: z.array(z.number()).length(4).optional(),
  image: z.enum(["before", "after"]).optional(),
});

export const reviewAnswerSchema = z.object({
  kind: z.enum(["ui", "diagram"]),
  summary: z.string(),
  findings: z.array(findingSchema),
});

export type ReviewAnswer = z.infer<typeof reviewAnswerSchema>;
export type ModelFinding = z.infer<typeof findingSchema>;
