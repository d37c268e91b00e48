import flask

greeting = "Good morning"
print(f"{greeting} from the greeter! It runs on Flask {flask.__version__}.")
