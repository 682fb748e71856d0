#!/usr/bin/env python3
"""TensorFlow's side of build/bin/train_bench: the notes' models in Keras (TF2), synthetic batches of the
same shapes, Adam(1e-3), the same flags and the same one-line JSON as torch_train.py. Variants, as the
notes train: --variant eager (the custom GradientTape loop), function (that loop's step in tf.function)
and fit (model.fit on the same batches).

  bench/venv-tf/bin/python bench/peers/tf_train.py --model cnn --threads 2 --seconds 5 --variant function

TensorFlow comes from PyPI's tensorflow-cpu (`make bench` installs it into a venv).
"""
import json
import math
import os
import resource
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_harness import (BATCH_POOL, CHAR_RNN_SEQ_LENGTH, CHAR_RNN_VOCABULARY, check_common,  # noqa: E402
                          common_parser, time_steps)




def parse_args():
    p = common_parser("Time training steps (or inference) of the notes' models in TensorFlow.", ["cpu"],
                      "intra- and inter-op threads (0 = TF's default)")
    p.add_argument("--variant", choices=["eager", "function", "fit"], default="function")
    a = p.parse_args()
    check_common(p, a)
    return a


def make_model(tf, name):
    layers = tf.keras.layers
    if name == "mlp":
        return tf.keras.Sequential([layers.Flatten(), layers.Dense(100, activation="relu"), layers.Dense(10),
                                    layers.Softmax()])
    if name == "cnn":
        return tf.keras.Sequential([
            layers.Conv2D(32, 5, padding="same", activation="relu"), layers.MaxPool2D(2, 2),
            layers.Conv2D(64, 5, padding="same", activation="relu"), layers.MaxPool2D(2, 2),
            layers.Reshape((7 * 7 * 64,)), layers.Dense(1024, activation="relu"), layers.Dense(10),
            layers.Softmax()])

    class CharRNN(tf.keras.Model):  # the notes' model: one_hot -> LSTMCell(256) over the window -> Dense
        def __init__(self):
            super().__init__()
            self.cell = tf.keras.layers.LSTMCell(256)
            self.dense = tf.keras.layers.Dense(CHAR_RNN_VOCABULARY)

        def call(self, ids):
            x = tf.one_hot(ids, CHAR_RNN_VOCABULARY)
            state = self.cell.get_initial_state(batch_size=tf.shape(ids)[0])
            for t in range(CHAR_RNN_SEQ_LENGTH):
                output, state = self.cell(x[:, t, :], state)
            return tf.nn.softmax(self.dense(output))
    return CharRNN()


def make_batches(tf, model_name, batch_size, seed):
    tf.random.set_seed(seed)
    batches = []
    for _ in range(BATCH_POOL):
        if model_name == "rnn":
            x = tf.random.uniform((batch_size, CHAR_RNN_SEQ_LENGTH), 0, CHAR_RNN_VOCABULARY, dtype=tf.int64)
            y = tf.random.uniform((batch_size,), 0, CHAR_RNN_VOCABULARY, dtype=tf.int64)
        else:
            x = tf.random.uniform((batch_size, 28, 28, 1))
            y = tf.random.uniform((batch_size,), 0, 10, dtype=tf.int64)
        batches.append((x, y))
    return batches


def make_step(tf, a, model, batches):
    """Returns step() -> a value that is ready once the step has finished."""
    cursor = [0]

    def next_batch():
        batch = batches[cursor[0]]
        cursor[0] = (cursor[0] + 1) % len(batches)
        return batch

    if a.eval:
        predict = tf.function(lambda x: model(x, training=False)) if a.variant == "function" else model
        return lambda: predict(next_batch()[0]).numpy()

    optimizer = tf.keras.optimizers.Adam(learning_rate=1e-3)
    if a.variant == "fit":
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
        return lambda: model.train_on_batch(*next_batch())

    def train_step(x, y):
        with tf.GradientTape() as tape:
            y_pred = model(x, training=True)
            loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(y_true=y, y_pred=y_pred))
        grads = tape.gradient(loss, model.variables)
        optimizer.apply_gradients(zip(grads, model.variables))
        return loss
    step = tf.function(train_step) if a.variant == "function" else train_step
    return lambda: step(*next_batch()).numpy()


def main():
    a = parse_args()
    import tensorflow as tf  # after the flags: --help stays fast
    tf.config.set_visible_devices([], "GPU")
    if a.threads:
        tf.config.threading.set_intra_op_parallelism_threads(a.threads)
        tf.config.threading.set_inter_op_parallelism_threads(a.threads)
    batch_size = a.batch_size or (1000 if a.eval else 50)
    model = make_model(tf, a.model)
    batches = make_batches(tf, a.model, batch_size, a.seed)

    step = make_step(tf, a, model, batches)
    steps, elapsed, last, start_to_first_step = time_steps(step, a.warmup_steps, a.seconds)
    if not a.eval and not math.isfinite(float(last)):
        sys.exit(f"tf_train: the training loss of --model {a.model} is not finite after {steps} timed steps")
    print(json.dumps({
        "model": a.model, "mode": "eval" if a.eval else "train", "device": "cpu",
        "threads": a.threads or os.cpu_count(), "batch_size": batch_size, "steps": steps,
        "steps_per_s": steps / elapsed, "examples_per_s": steps * batch_size / elapsed,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "peak_gpu_mb": None,
        "start_to_first_step_s": start_to_first_step,
        "variant": a.variant, "framework": "tensorflow " + tf.__version__}))


if __name__ == "__main__":
    main()
