import flask

greeting = "Good evening"
print(f"{greeting} from the greeter! It runs on Flask {flask.__version__}.")
