"""The `saas-platform` command line."""

import typer

app = typer.Typer(no_args_is_help=True)


@app.command()
def version() -> None:
    """Print the version."""
    print("0.1.0")


def main() -> None:
    app()
