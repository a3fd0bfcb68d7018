"""renaksi: SP4N LAPOR! action plan (Renaksi) and budget tracker."""

__version__ = "0.1.0"
