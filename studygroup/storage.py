"""Static files in production."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Names with a hash of the content (the manifest), and a gzip copy of each text file that
    nginx sends as it is (``gzip_static``) and WhiteNoise too. No Brotli copies: Debian's nginx
    cannot send them without an extra module, and compressing with Brotli at its best level
    took three quarters of collectstatic's time."""

    def create_compressor(self, **kwargs):
        return super().create_compressor(use_brotli=False, **kwargs)
