<?xml version="1.0" encoding="UTF-8"?>
<!-- The page layout shared by the example transforms (imported by catalog-html.xsl). -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:template name="page">
    <xsl:param name="heading"/>
    <xsl:param name="body"/>
    <html>
      <head><title><xsl:value-of select="$heading"/></title></head>
      <body>
        <h1><xsl:value-of select="$heading"/></h1>
        <xsl:copy-of select="$body"/>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
