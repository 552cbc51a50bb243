#!/usr/bin/env python3
"""Generates test vectors for Glance's token estimates by running the vendor's own calculators.

The three Python token calculators (image, video file, image list) are read straight out of the
Model Studio reference page in ../shared/reference, not copied into this repository, so the vectors
always come from the reference as published. Their file readers (Pillow, OpenCV) are replaced by
stubs that report the sizes under test; everything else runs as written.

Where a calculator is written for 32-pixel models only, it is run for 28-pixel models by changing its
factor constants (IMAGE_FACTOR, TOKEN_DIVISOR, the literal 32 of the image calculator and of the video
token line), as its own comments say to.

Usage: python3 scripts/generate-token-vectors.py [reference.txt] > test/core/token-vectors.json
"""
import contextlib
import io
import json
import logging
import math
import random
import re
import sys
import textwrap
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REFERENCE = ROOT.parent / "shared" / "reference" / "model-studio-vision-understanding.txt"


def extract(text, start_marker, end_marker, after=0):
    start = text.index(start_marker, after)
    line_start = text.rindex("\n", 0, start) + 1
    end = text.index(end_marker, start)
    line_end = text.rindex("\n", 0, end) + 1
    return textwrap.dedent(text[line_start:line_end]), end


class Stub:
    """Stands in for the images and videos the calculators would open."""

    size = (0, 0)  # height, width
    video = (0, 0, 0, 0.0)  # height, width, frame count, frame rate


def install_stub_modules():
    pil = types.ModuleType("PIL")
    image_module = types.ModuleType("PIL.Image")

    class FakeImage:
        def __init__(self):
            self.height, self.width = Stub.size

        def __enter__(self):
            return self

        def __exit__(self, *args):
            return False

    image_module.open = lambda path: FakeImage()
    pil.Image = image_module
    sys.modules["PIL"] = pil
    sys.modules["PIL.Image"] = image_module

    cv2 = types.ModuleType("cv2")
    cv2.CAP_PROP_FRAME_WIDTH, cv2.CAP_PROP_FRAME_HEIGHT, cv2.CAP_PROP_FRAME_COUNT, cv2.CAP_PROP_FPS = 3, 4, 7, 5

    class FakeCapture:
        def __init__(self, path):
            pass

        def get(self, prop):
            height, width, count, rate = Stub.video
            return {3: float(width), 4: float(height), 7: float(count), 5: float(rate)}[prop]

    cv2.VideoCapture = FakeCapture
    sys.modules["cv2"] = cv2


def load_calculators(reference_text, factor):
    image_code, position = extract(reference_text, "import math", 'if __name__ == "__main__":',
                                   reference_text.index("Formula: Image tokens"))
    video_code, position = extract(reference_text, "# Before running, install opencv-python",
                                   "video_token = token_calculate(", position)
    list_code, _ = extract(reference_text, "# Before running, install Pillow", 'if __name__ == "__main__":', position)

    image_code = re.sub(r"\b32\b", str(factor), image_code)
    video_code = video_code.replace("IMAGE_FACTOR = 32", f"IMAGE_FACTOR = {factor}")
    video_code = video_code.replace("resized_height / 32 * resized_width / 32",
                                    f"resized_height / {factor} * resized_width / {factor}")
    list_code = list_code.replace("IMAGE_FACTOR = 32", f"IMAGE_FACTOR = {factor}")
    list_code = list_code.replace("TOKEN_DIVISOR = 32", f"TOKEN_DIVISOR = {factor}")
    list_code = list_code.replace("if not os.path.exists(image_path):", "if False:")

    calculators = {}
    for name, code in (("image", image_code), ("video", video_code), ("list", list_code)):
        namespace = {"__name__": f"reference_{name}"}
        exec(compile(code, f"<reference {name} calculator>", "exec"), namespace)
        calculators[name] = namespace
    return calculators


def set_video_constants(namespace, constants):
    namespace["VIDEO_MAX_PIXELS"] = constants["maxPixelsPerFrame"]
    namespace["VIDEO_TOTAL_PIXELS"] = constants["totalPixels"]
    if "FPS_MAX_FRAMES" in namespace:
        namespace["FPS_MAX_FRAMES"] = constants["maxFrames"]


def image_tokens(calculators, factor, height, width, max_pixels, high_resolution):
    Stub.size = (height, width)
    h_bar, w_bar = calculators["image"]["token_calculate"]("stub", max_pixels, high_resolution)
    # The page states the formula beside the code: h_bar * w_bar / token_pixels + 2 markers.
    return int((h_bar * w_bar) / (factor * factor)) + 2, h_bar, w_bar


def video_tokens(calculators, constants, height, width, count, rate, fps):
    namespace = calculators["video"]
    set_video_constants(namespace, constants)
    Stub.video = (height, width, count, rate)
    with contextlib.redirect_stdout(io.StringIO()):
        tokens = namespace["token_calculate"]("stub", fps)
    ele = {"video": "stub", "fps": fps}
    frames = namespace["smart_nframes"](ele, count, rate)
    resized_height, resized_width = namespace["smart_resize"](ele, "stub")
    return tokens, frames, resized_height, resized_width


def list_tokens(calculators, constants, height, width, frames):
    namespace = calculators["list"]
    set_video_constants(namespace, constants)
    Stub.size = (height, width)
    tokens = namespace["calculate_video_tokens"]("stub", nframes=frames, verbose=False)
    resized_height, resized_width = namespace["smart_resize"](height, width, frames)
    return tokens, resized_height, resized_width


def main():
    reference_path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_REFERENCE
    reference_text = reference_path.read_text(encoding="utf-8")
    install_stub_modules()
    # The video calculator logs a warning when fps exceeds the file's own rate; the vectors record the outcome.
    logging.disable(logging.CRITICAL)
    random_source = random.Random(20261124)

    configurations = [
        {"name": "32px, 2621440 default", "factor": 32, "defaultMaxPixels": 2621440, "highResolutionMaxPixels": 16777216},
        {"name": "32px, 1310720 default", "factor": 32, "defaultMaxPixels": 1310720, "highResolutionMaxPixels": 16777216},
        {"name": "28px, 1003520 default", "factor": 28, "defaultMaxPixels": 1003520, "highResolutionMaxPixels": 12845056},
    ]
    frame_constants = [
        {"maxPixelsPerFrame": 640 * 1024, "maxFrames": 2000, "totalPixels": 131072 * 1024},
        {"maxPixelsPerFrame": 768 * 1024, "maxFrames": 512, "totalPixels": 65536 * 1024},
        {"maxPixelsPerFrame": 768 * 1024, "maxFrames": 80, "totalPixels": 65536 * 1024},
    ]

    sides = [1, 2, 9, 10, 11, 13, 14, 15, 16, 17, 27, 28, 29, 31, 32, 33, 42, 46, 48, 50, 70, 80, 84, 112, 126, 144,
             240, 320, 480, 720, 1080, 1920, 2160, 3024, 3840, 4032, 4320, 7680]
    # Sizes exactly between two multiples of either factor exercise Python's round-half-to-even.
    sides += [16 * odd for odd in (1, 3, 5, 7, 9, 11, 61, 121)] + [14 * odd for odd in (1, 3, 5, 9, 61, 121)]
    image_cases = []
    for height in sides:
        for width in random_source.sample(sides, 6):
            image_cases.append((height, width))
    image_cases += [(1, 10000), (11, 2200), (10000, 50), (20, 4000), (4000, 20), (16384, 16384), (1, 1), (3, 7)]
    image_cases += [(random_source.randint(1, 9000), random_source.randint(1, 9000)) for _ in range(400)]
    custom_max = [None, 4 * 1024, 100_000, 1_003_520, 1_310_720, 2_621_440, 3_000_000, 8_000_000, 16_777_216]

    vectors = {"images": [], "videos": [], "imageLists": []}
    for configuration in configurations:
        factor = configuration["factor"]
        calculators = load_calculators(reference_text, factor)
        for height, width in image_cases:
            high_resolution = random_source.random() < 0.15
            max_pixels = random_source.choice(custom_max)
            effective = configuration["defaultMaxPixels"] if max_pixels is None else max_pixels
            tokens, h_bar, w_bar = image_tokens(calculators, factor, height, width, effective, high_resolution)
            vectors["images"].append({
                "configuration": configuration["name"], "factor": factor,
                "defaultMaxPixels": configuration["defaultMaxPixels"],
                "highResolutionMaxPixels": configuration["highResolutionMaxPixels"],
                "width": width, "height": height, "maxPixels": max_pixels, "highResolution": high_resolution,
                "tokens": tokens, "scaledWidth": w_bar, "scaledHeight": h_bar,
            })

        rates = [1, 5, 10, 12, 15, 23.976023976023978, 24, 25, 29.97002997002997, 30, 48, 50, 59.94005994005994, 60, 120]
        durations = [2, 2.01, 2.5, 3, 4.9, 7, 10, 15.5, 30, 40, 61.3, 120, 300, 599.9, 600, 1200, 3599, 3600, 7200]
        fps_values = [0.1, 0.2, 0.25, 0.3, 0.5, 0.7, 1, 1.5, 2, 2.5, 3, 4.2, 5, 8, 9.9, 10]
        video_sizes = [(1080, 1920), (1920, 1080), (2160, 3840), (720, 1280), (480, 640), (240, 320), (64, 64),
                       (11, 2000), (10, 2500), (100, 100), (4320, 7680), (1000, 17), (360, 640), (1088, 1920), (14, 2800)]
        for constants in frame_constants:
            for _ in range(260):
                height, width = random_source.choice(video_sizes)
                rate = random_source.choice(rates)
                duration = random_source.choice(durations) if random_source.random() < 0.7 else random_source.uniform(2, 7200)
                count = max(1, int(round(duration * rate)))
                if random_source.random() < 0.05:
                    count = random_source.randint(1, 6)
                fps = random_source.choice(fps_values) if random_source.random() < 0.7 else round(random_source.uniform(0.1, 10), 3)
                try:
                    tokens, frames, resized_height, resized_width = video_tokens(
                        calculators, constants, height, width, count, rate, fps)
                    outcome = {"tokens": tokens, "frames": frames, "scaledWidth": resized_width, "scaledHeight": resized_height}
                except (ValueError, AssertionError) as error:
                    outcome = {"error": str(error)}
                vectors["videos"].append({
                    "configuration": configuration["name"], "factor": factor, **constants,
                    "width": width, "height": height, "frameCount": count, "frameRate": rate, "fps": fps, **outcome,
                })
            for _ in range(120):
                height, width = random_source.choice(video_sizes)
                frames = random_source.choice([4, 5, 6, 7, 8, 16, 31, 64, 80, 100, 255, 512, 513, 1000, 2000, 4001, 8000])
                try:
                    tokens, resized_height, resized_width = list_tokens(calculators, constants, height, width, frames)
                    outcome = {"tokens": tokens, "scaledWidth": resized_width, "scaledHeight": resized_height}
                except ValueError as error:
                    outcome = {"error": str(error)}
                vectors["imageLists"].append({
                    "configuration": configuration["name"], "factor": factor, **constants,
                    "width": width, "height": height, "frames": frames, **outcome,
                })

    json.dump(vectors, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
