import flask

greeting = "Hello"
print(f"{greeting} from the greeter! It runs on Flask {flask.__version__}.")
