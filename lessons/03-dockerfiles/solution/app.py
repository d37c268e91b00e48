import flask

print(f"Hello from a container! Flask {flask.__version__} is installed.")
