import { setImmediate as nextTurnOfEventLoop } from "node:timers/promises";
import {
  buildChatRequest,
  type Completion,
  drawLocalizations,
  estimateMediaRequest,
  GlanceError,
  localizationFrameOf,
  locatePrompt,
  type PreparedMedia,
  parseLocalizations,
} from "@glance/core";
import { AnswerStream } from "./answer-stream.js";
import type { BotServices } from "./bot-services.js";
import { downloadSlackFile } from "./downloads.js";
import { errorReply, slackErrorCodeOf } from "./error-replies.js";
import { RequestBudget } from "./guardrails/token-budget.js";
import { completeSlackFile, type PlannedSlackFile, planSlackFile } from "./prepare-slack-media.js";
import { asksForSummary, locateTargetOf } from "./question-intent.js";
import { fileKindOf, fileLabel, type SlackFile, supportedTypesSentence } from "./slack-file.js";
import { historyOf, loadThread, rememberInThread, stripMentions, type ThreadMessage } from "./thread-history.js";

/** The bot's standing instructions to the model, sent with every question. */
const systemPrompt =
  "You are Glance, an assistant in Slack that answers questions about images and videos people share. " +
  "Answer concisely in Markdown. When you refer to a moment in a video, give its timestamp as m:ss.";

const queueFullReply =
  ":hourglass: I'm answering a lot of questions right now and my queue is full. Ask again in a minute.";

/** After the durable queue's last takeover (queue/answer-queue.ts: three), or a failure of the queue's worker itself. */
function givenUpReply(stoppedAttempts: number): string {
  return stoppedAttempts > 0
    ? `:warning: I started on this ${stoppedAttempts} times and stopped each time before answering, so I gave up. Try again, perhaps with a smaller or different file.`
    : ":warning: Something went wrong on my side and I couldn't answer this. Ask again in a minute.";
}

/** What a mention with files and no words asks. */
const defaultQuestion = "Describe what you see, and point out anything that looks wrong or notable.";

/** A message the bot should answer: a mention, a DM, or a thread reply. */
export interface IncomingQuestion {
  channel: string;
  ts: string;
  /** The thread the message is in; undefined for a top-level message. */
  threadTs: string | undefined;
  userId: string;
  text: string;
  files: SlackFile[];
  botUserId: string | undefined;
  /** The workspace the question was asked in (the event's team): whose rate limits the answer uses. */
  teamId?: string | undefined;
  /**
   * The asking user's own team, when the event names it (`user_team`, else `team`): another
   * organization's for a Slack Connect user. Streaming outside DMs needs it as recipient_team_id.
   */
  userTeamId?: string | undefined;
}

/**
 * One attempt at an answer worked from the durable queue (queue/answer-queue.ts): what earlier attempts
 * left in the thread, and where this attempt notes what it posts.
 */
export interface AnswerAttempt {
  /** Messages (in the question's channel) that earlier attempts posted before their replica stopped. */
  earlierMessages: readonly string[];
  /** Notes a message this attempt posted, so an attempt taking over after this one can remove it. */
  recordPosted(ts: string): Promise<void>;
}

/**
 * Answers one message end to end: thread context, files, the model, the reply. Every failure ends as a
 * reply in the thread; nothing is silent. An attempt that takes over from a replica that died first
 * removes what that replica had posted (its placeholder, a partial answer), so the thread ends with
 * exactly one answer.
 */
export async function answerQuestion(
  services: BotServices,
  question: IncomingQuestion,
  attempt?: AnswerAttempt,
): Promise<void> {
  const threadTs = question.threadTs ?? question.ts;
  const target = { channel: question.channel, threadTs, teamId: question.teamId };
  if (attempt !== undefined && attempt.earlierMessages.length > 0) {
    await removeEarlierMessages(services, question, attempt.earlierMessages, "taking over");
  }
  const recordPosted = attempt === undefined ? undefined : (ts: string) => attempt.recordPosted(ts);
  const queuedAt = performance.now();
  const release = await services.limit.tryEnter();
  if (release !== undefined) {
    // Time spent behind other answers: the first thing to look at when answers feel slow.
    const waitedMilliseconds = performance.now() - queuedAt;
    services.metrics.observeQueueWait(waitedMilliseconds / 1000);
    services.logger.debug(
      `Answer for ${question.channel}/${question.ts} waited ${waitedMilliseconds.toFixed(1)} ms for a slot.`,
    );
  }
  if (release === undefined) {
    await replyQueueFull(services, question, recordPosted);
    return;
  }
  let answer: AnswerStream | undefined;
  try {
    const budget = await RequestBudget.check({
      budgets: services.state.budgets,
      limits: services.config,
      payer: { userId: question.userId, channel: question.channel },
      now: services.now,
    });
    // Slack Connect stubs are completed first, so their type is known when files are chosen.
    const currentFiles = await Promise.all(question.files.map((file) => completeSlackFile(services, file)));
    const current: ThreadMessage = { ts: question.ts, fromBot: false, text: question.text, files: currentFiles };
    const thread =
      question.threadTs === undefined
        ? [current]
        : await loadThread(services.client, services.state.threads, {
            channel: question.channel,
            threadTs: question.threadTs,
            botUserId: question.botUserId,
            current,
          });
    const prompt = stripMentions(question.text);
    const { files, unsupported, leftOut } = chooseFiles(thread, question.ts, services.config.maxThreadImages);
    if (files.length === 0) {
      const reason =
        unsupported.length > 0
          ? `I can't read ${unsupported.map(fileLabel).join(", ")}. ${supportedTypesSentence}`
          : "I don't see an image or video in this message or earlier in the thread. Attach one and ask again.";
      services.metrics.recordAnswer("no_media");
      await replyOrTellUser(services, question, recordPosted, `:warning: ${reason}`);
      return;
    }
    const allowLongVideo = asksForSummary(prompt);
    // The placeholder and the files go side by side: the downloads and header reads do not wait for
    // Slack's answer to chat.startStream (or chat.postMessage), nor the other way round. The budget is
    // then reserved from the files' headers, before any of them is decoded: an answer over budget costs
    // a download and a header read, not a preparation.
    const planning = (async () => {
      const planned: PlannedSlackFile[] = [];
      for (const file of files) {
        planned.push(await planSlackFile(services, file, { allowLongVideo }));
      }
      return planned;
    })();
    // Awaited once the placeholder is up, so a failed download is told in the placeholder, as before.
    planning.catch(() => {});
    answer = await AnswerStream.start(services.poster, target, `:eyes: Looking at ${describeFiles(files)}...`, {
      logger: services.logger,
      updateIntervalMilliseconds: services.updateIntervalMilliseconds,
      streaming: services.streaming
        ? { userId: question.userId, teamId: question.userTeamId ?? question.teamId }
        : undefined,
      onMessagePosted: recordPosted,
    });
    const notes: string[] = [];
    if (leftOut > 0) {
      notes.push(
        `I looked at the ${files.length} most recent files of this thread; ${leftOut} earlier ${leftOut === 1 ? "one was" : "ones were"} left out.`,
      );
    }
    if (unsupported.length > 0) {
      notes.push(`Skipped ${unsupported.map(fileLabel).join(", ")}: not an image or video.`);
    }
    const planned = await planning;
    const locateTarget = locateTargetOf(prompt);
    const locating = locateTarget !== undefined && planned.length === 1 && planned[0]?.input.kind === "image";
    const requestInput = {
      model: services.config.model,
      system: systemPrompt,
      history: historyOf(thread, question.ts),
      prompt: locating ? locatePrompt(locateTarget ?? "") : prompt === "" ? defaultQuestion : prompt,
      stream: true,
    };
    const plan = await estimateMediaRequest({ ...requestInput, inputs: planned.map((file) => file.input) });
    const stream = answer;
    const estimatedTokens = plan.estimate.totalTokens;
    const media: PreparedMedia[] = [];
    const completion = await budget.call(
      estimatedTokens,
      async () => {
        for (const file of planned) {
          media.push(await file.prepare());
        }
        // The next two steps are the heaviest synchronous work of an answer (the base64 data URLs, then
        // the request body's JSON): in a burst, many answers reach them in the same microtask run, and
        // without a turn of the event loop in between, Slack's next requests would wait to be acknowledged.
        await nextTurnOfEventLoop();
        const request = await buildChatRequest({ ...requestInput, inputs: media });
        await nextTurnOfEventLoop();
        return services.glance.complete(request, {
          continuePartial: 1,
          ...(locating ? {} : { onAnswer: (delta: string) => stream.append(delta) }),
        });
      },
      { tokensUsed: (result) => tokensOf(result, estimatedTokens), outputShown: () => stream.text !== "" },
    );
    if (completion.partial) {
      notes.push("The model service stopped before the answer was complete; this answer is partial.");
    }
    if (locating && media[0]?.kind === "image") {
      await finishLocate(services, answer, completion, media[0], files[0], target, notes);
    } else {
      await answer.finish(notes);
    }
    services.metrics.recordAnswer(completion.partial ? "partial" : "answered");
    await rememberInThread(services.state.threads, {
      channel: question.channel,
      threadTs,
      messages: [current, { ts: answer.ts, fromBot: true, text: answer.text, files: [] }],
    });
  } catch (error) {
    services.logger.warn(`Answering ${question.channel}/${question.ts} failed: ${describe(error)}`);
    services.metrics.recordAnswer("failed");
    const reply = errorReply(error);
    if (answer === undefined) {
      await replyOrTellUser(services, question, recordPosted, reply);
    } else if (error instanceof GlanceError && error.code === "content-inspection" && error.outputDelivered) {
      // The service's content check refused the answer part-way: none of the text shown may stand, so
      // the reason replaces it. (A stream cut by the network keeps what arrived, with the reason after.)
      await answer.replace(reply);
    } else {
      await answer.fail(reply);
    }
  } finally {
    release();
  }
}

/**
 * The reply when the queue is full: this process's (in memory), or the one all replicas share
 * (GLANCE_MAX_QUEUED counted over all of them, with GLANCE_REDIS_URL).
 */
export async function replyQueueFull(
  services: BotServices,
  question: IncomingQuestion,
  recordPosted?: (ts: string) => Promise<void>,
): Promise<void> {
  services.metrics.recordAnswer("queue_full");
  await replyOrTellUser(services, question, recordPosted, queueFullReply);
}

/**
 * The one reply to a question the durable queue gave up on (its replicas kept stopping mid-answer):
 * what its attempts posted is removed, and one line says so, so the asker is never left with a
 * placeholder that never changes.
 */
export async function replyGivenUp(
  services: BotServices,
  question: IncomingQuestion,
  posted: readonly string[],
  stoppedAttempts: number,
): Promise<void> {
  services.metrics.recordAnswer("failed");
  if (posted.length > 0) {
    await removeEarlierMessages(services, question, posted, "giving up on");
  }
  await replyOrTellUser(services, question, undefined, givenUpReply(stoppedAttempts));
}

async function finishLocate(
  services: BotServices,
  answer: AnswerStream,
  completion: Completion,
  image: Extract<PreparedMedia, { kind: "image" }>,
  file: SlackFile | undefined,
  target: { channel: string; threadTs: string },
  notes: string[],
): Promise<void> {
  const found = parseLocalizations(completion.answer, localizationFrameOf(services.config.model, image));
  const labels = [...found.boxes.map((box) => box.label), ...found.points.map((point) => point.label)];
  if (labels.length === 0 || file === undefined) {
    answer.append(`I couldn't find it in the image. The model answered: ${completion.answer.trim()}`);
    await answer.finish(notes);
    return;
  }
  answer.append(`Found ${labels.length}: ${labels.join(", ")}. The marked-up image is below.`);
  await answer.finish(notes);
  const original = await downloadSlackFile(file, {
    metrics: services.metrics,
    botToken: services.config.slackBotToken,
    trustedOrigins: services.trustedFileOrigins,
    allowedOrigins: services.urlOrigins,
    maxBytes: services.config.maxFileBytes,
  });
  const drawn = await drawLocalizations(original, found);
  await services.poster.upload({
    channel_id: target.channel,
    thread_ts: target.threadTs,
    file: drawn,
    filename: `${fileLabel(file).replace(/\.[^.]+$/, "")}.located.png`,
    title: `Located: ${labels.join(", ")}`,
  });
}

/**
 * Replies in the thread; when the bot may not post there (removed from the channel, or never invited),
 * tells the asker privately instead: an ephemeral message needs channel membership too, so the last
 * resort is a direct message (chat.postMessage to a user id opens the DM with the app).
 */
async function replyOrTellUser(
  services: BotServices,
  question: IncomingQuestion,
  recordPosted: ((ts: string) => Promise<void>) | undefined,
  reply: string,
): Promise<void> {
  const threadTs = question.threadTs ?? question.ts;
  try {
    const ts = await services.poster.post({ channel: question.channel, threadTs }, reply);
    await recordPosted?.(ts);
    return;
  } catch (error) {
    const code = slackErrorCodeOf(error);
    if (code !== "not_in_channel" && code !== "channel_not_found" && code !== "is_archived") throw error;
  }
  const where = `<#${question.channel}>`;
  try {
    await services.poster.postEphemeral({ channel: question.channel, user: question.userId, threadTs, text: reply });
    return;
  } catch (error) {
    services.logger.debug(`An ephemeral reply failed too: ${describe(error)}`);
  }
  await services.poster.post(
    { channel: question.userId, threadTs: undefined },
    `About your message in ${where}: ${reply}`,
  );
}

/**
 * Removes the messages an earlier attempt posted: deleted rather than reused, because a streamed
 * message of a dead replica may still be open (and Slack lets no other stream continue it), and an
 * edited one would keep a partial answer's last state until the new answer reaches it.
 */
async function removeEarlierMessages(
  services: BotServices,
  question: IncomingQuestion,
  messages: readonly string[],
  why: "taking over" | "giving up on",
): Promise<void> {
  const count = messages.length === 1 ? "message" : `${messages.length} messages`;
  services.logger.info(
    why === "taking over"
      ? `Taking over the answer to ${question.channel}/${question.ts} from a replica that stopped: removing the ${count} it had posted.`
      : `Giving up on the answer to ${question.channel}/${question.ts}: removing the ${count} its attempts had posted.`,
  );
  for (const ts of messages) {
    try {
      await services.poster.delete(question.channel, ts);
    } catch (error) {
      services.logger.warn(`Could not remove message ${ts} of the earlier attempt: ${describe(error)}`);
    }
  }
}

/** The current message's files first, then the thread's newest; returned in the order they were posted. */
function chooseFiles(
  thread: readonly ThreadMessage[],
  currentTs: string,
  cap: number,
): { files: SlackFile[]; unsupported: SlackFile[]; leftOut: number } {
  const usable: SlackFile[] = [];
  const unsupported: SlackFile[] = [];
  const earlier = thread.filter((message) => Number(message.ts) <= Number(currentTs));
  for (const message of [...earlier].reverse()) {
    // The bot's own files (a located.png) are answers, not what the user asks about.
    if (message.fromBot) continue;
    for (const file of message.files) {
      if (fileKindOf(file) === "other") {
        if (message.ts === currentTs) unsupported.push(file);
      } else if (!usable.some((known) => known.id === file.id)) {
        usable.push(file);
      }
    }
  }
  const chosen = usable.slice(0, cap);
  return { files: chosen.reverse(), unsupported, leftOut: usable.length - chosen.length };
}

function describeFiles(files: readonly SlackFile[]): string {
  const images = files.filter((file) => fileKindOf(file) === "image").length;
  const videos = files.length - images;
  const parts: string[] = [];
  if (images > 0) parts.push(images === 1 ? "the image" : `${images} images`);
  if (videos > 0) parts.push(videos === 1 ? "the video" : `${videos} videos`);
  if (images === 1 && videos > 0) parts[0] = "1 image";
  return parts.join(" and ");
}

function tokensOf(completion: Completion, estimate: number): number {
  return completion.usage?.totalTokens ?? estimate + Math.ceil(completion.answer.length / 4);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
