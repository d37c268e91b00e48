import os

from flask import Flask
from redis import Redis

app = Flask(__name__)
# the database: Redis at the host name REDIS_HOST (redis unless told otherwise), on Redis's port
redis = Redis(host=os.environ.get("REDIS_HOST", "redis"), port=6379)


@app.route("/")
def hello():
    # incr adds one to the number stored under the key "hits" (starting from 0) and returns it
    count = redis.incr("hits")
    return f"Hello! I have been seen {count} times.\n"


if __name__ == "__main__":
    # 0.0.0.0: every address of the container, so a published port reaches it (lesson 10)
    app.run(host="0.0.0.0", port=5000)
